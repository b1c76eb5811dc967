package dev.portcullis.mgmt.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration store: numbered policy revisions on the appliance's data partition, the newest of which is the
 * running policy, written so that a crash or power loss at any moment leaves the store at the old revision or the
 * new one, never at a broken one.
 *
 * <pre>{@code
 * ConfigStore store = ConfigStore.open(Path.of("/var/lib/portcullis/state"), 50);
 * if (store.running().isEmpty()) {
 *     store.importPolicy(Files.readString(policyFile), Instant.now(), "imported from policy.yaml");
 * }
 * String running = store.text(store.running().orElseThrow().number());
 * }</pre>
 *
 * <h2>Layout</h2>
 * <pre>
 * DIR/lock                         held (flock) while a store is open: one process at a time
 * DIR/revisions/revision-0000000042  one revision: header, policy text, checksum ({@link RevisionFile})
 * DIR/confirmed                    the highest revision confirmed after a commit confirmed ({@link SealedFile})
 * DIR/damaged/                     revision files that failed their check at open, moved aside, never deleted
 * </pre>
 *
 * <h2>Why a crash cannot break it</h2>
 * A commit writes one new file, {@code revision-N+1}, through {@link DurableFiles#write}: temporary file, fsync,
 * atomic rename, fsync of the directory. Before the rename, the store holds revisions up to N and perhaps a
 * {@code .tmp} file; after it, N+1 complete. Nothing else is changed by a commit: the running revision is simply
 * the highest valid number, so there is no pointer to update and no window where a pointer and a file disagree.
 * Pruning deletes the oldest files after the new one is durable, and a crash during it only leaves extra old
 * revisions. {@link #open} removes {@code .tmp} leftovers and checks every revision file whole (checksum, header,
 * number) instead of trusting it; a file that fails (a disk fault, a hand edit) is moved to {@code damaged/} and
 * reported, and the store runs from the highest valid revision.
 *
 * <p>A {@code commit confirmed} is the same one-file write, with the deadline and the revision to return to in the
 * revision's own header; {@code confirm} writes the {@code confirmed} marker the same durable way. So "is the running
 * revision waiting for confirmation?" is always answered from files that are each old or new, never torn.
 *
 * <p>Thread-safe: every method is synchronized; writes are serialized. One process at a time: {@link #open} takes
 * an exclusive lock on {@code DIR/lock}, which the operating system releases if the process dies.
 */
public final class ConfigStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigStore.class);

    private static final Pattern REVISION_NAME = Pattern.compile("revision-([0-9]{10})");
    private static final String CONFIRMED_MAGIC = "portcullis-confirmed 1";

    private final Path directory;
    private final Path revisions;
    private final Path damaged;
    private final Path confirmedFile;
    private final int keep;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /** Every valid revision on disk by number; guarded by this. */
    private final TreeMap<Integer, Revision> index = new TreeMap<>();
    /** The highest revision confirmed (0 for none); guarded by this. */
    private int confirmed;
    /** Guarded by this. */
    private boolean closed;

    private ConfigStore(Path directory, int keep, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.revisions = directory.resolve("revisions");
        this.damaged = directory.resolve("damaged");
        this.confirmedFile = directory.resolve("confirmed");
        this.keep = keep;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the store in {@code directory}, keeping at most {@code keepRevisions} revisions:
     * removes leftovers of interrupted writes, checks every revision, sets damaged ones aside.
     *
     * @throws IOException when the directory cannot be used or another process has the store open
     * @throws IllegalArgumentException when {@code keepRevisions} is below 2
     */
    public static ConfigStore open(Path directory, int keepRevisions) throws IOException {
        if (keepRevisions < 2) {
            throw new IllegalArgumentException("keepRevisions " + keepRevisions + " is below 2: a store keeps at "
                    + "least the running revision and the one before it");
        }
        DurableFiles.createDirectory(directory);
        FileChannel ch = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException(directory + ": the configuration store is open elsewhere (its lock is held)");
        }
        ConfigStore store = new ConfigStore(directory, keepRevisions, ch, lock);
        try {
            store.recover();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** Startup recovery: leftovers removed, every revision checked, the confirmed marker read, excess pruned. */
    private synchronized void recover() throws IOException {
        DurableFiles.createDirectory(revisions);
        removeTemporaries(directory);
        removeTemporaries(revisions);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(revisions)) {
            for (Path p : ds) {
                files.add(p);
            }
        }
        for (Path p : files) {
            Matcher m = REVISION_NAME.matcher(p.getFileName().toString());
            if (!m.matches()) {
                LOG.warn("recover: {} is not a revision file; left alone", p);
                continue;
            }
            int number = Integer.parseInt(m.group(1));
            try {
                RevisionFile.Decoded d = RevisionFile.decode(Files.readAllBytes(p), number);
                index.put(number, d.revision());
            } catch (IOException e) {
                setAside(p, e.getMessage());
            }
        }
        confirmed = readConfirmed();
        if (!index.isEmpty()) {
            int first = index.firstKey();
            int last = index.lastKey();
            if (last - first + 1 != index.size()) {
                LOG.warn("recover: revisions {} to {} have gaps ({} present): damaged files were set aside",
                        first, last, index.size());
            }
            LOG.info("recover: {} revisions ({} to {}), running revision {}{}", index.size(), first, last, last,
                    pending().map(p -> ", waiting for confirmation until " + p.deadline()).orElse(""));
        }
        prune();
    }

    private static void removeTemporaries(Path dir) throws IOException {
        boolean removed = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + DurableFiles.TEMP_SUFFIX)) {
            for (Path p : ds) {
                LOG.info("recover: removing {}, left by an interrupted write", p);
                Files.delete(p);
                removed = true;
            }
        }
        if (removed) {
            DurableFiles.syncDirectory(dir);
        }
    }

    private void setAside(Path file, String why) throws IOException {
        DurableFiles.createDirectory(damaged);
        Path target = damaged.resolve(file.getFileName() + "." + System.currentTimeMillis());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.syncDirectory(revisions);
        DurableFiles.syncDirectory(damaged);
        LOG.error("recover: {} failed its check ({}); moved to {}", file, why, target);
    }

    private int readConfirmed() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(confirmedFile);
        } catch (NoSuchFileException e) {
            return 0;
        }
        try {
            String[] lines = RevisionFile.utf8(SealedFile.open(bytes), 0, bytes.length - SealedFile.TRAILER_LENGTH)
                    .split("\n");
            if (lines.length != 2 || !lines[0].equals(CONFIRMED_MAGIC) || !lines[1].startsWith("revision: ")) {
                throw new IOException("malformed content");
            }
            return Integer.parseInt(lines[1].substring("revision: ".length()));
        } catch (IOException | NumberFormatException e) {
            // Fail safe: an unreadable marker confirms nothing, so a pending commit confirmed still rolls back.
            LOG.error("recover: {} is unreadable ({}); treating no revision as confirmed", confirmedFile,
                    e.getMessage());
            return 0;
        }
    }

    public Path directory() {
        return directory;
    }

    /** How many revisions the store keeps. */
    public int keepRevisions() {
        return keep;
    }

    /** The running revision: the newest. Empty only before the first import. */
    public synchronized Optional<Revision> running() {
        return index.isEmpty() ? Optional.empty() : Optional.of(index.lastEntry().getValue());
    }

    /** Every revision kept, newest first. */
    public synchronized List<Revision> history() {
        return List.copyOf(index.descendingMap().values());
    }

    public synchronized Optional<Revision> revision(int number) {
        return Optional.ofNullable(index.get(number));
    }

    /**
     * The policy text of revision {@code number}, read from disk and checked again.
     *
     * @throws NoSuchFileException when there is no such revision (never made, or pruned)
     * @throws IOException when it cannot be read or fails its check
     */
    public synchronized String text(int number) throws IOException {
        if (!index.containsKey(number)) {
            throw new NoSuchFileException("revision " + number, null, "no such revision (kept: "
                    + (index.isEmpty() ? "none" : index.firstKey() + " to " + index.lastKey()) + ")");
        }
        return RevisionFile.decode(Files.readAllBytes(file(number)), number).text();
    }

    /** The highest revision confirmed after a {@code commit confirmed}; 0 for none. */
    public synchronized int confirmedThrough() {
        return confirmed;
    }

    /** The running revision when it is a {@code commit confirmed} not yet confirmed. */
    public synchronized Optional<PendingConfirm> pending() {
        Optional<Revision> r = running();
        if (r.isEmpty() || r.get().confirmBy().isEmpty() || r.get().number() <= confirmed) {
            return Optional.empty();
        }
        return Optional.of(new PendingConfirm(r.get(), r.get().confirmBy().get(), r.get().rollbackTo().getAsInt()));
    }

    /**
     * Makes revision 1 from the policy the appliance starts with, when the store is empty. The caller checks the
     * policy first.
     *
     * @throws IllegalStateException when the store already has revisions
     */
    public synchronized Revision importPolicy(String text, Instant time, String comment) throws IOException {
        if (!index.isEmpty()) {
            throw new IllegalStateException("importPolicy: the store already has revisions 1 to " + index.lastKey());
        }
        return append(text, time, Operator.SYSTEM, comment, Revision.Origin.IMPORT, Optional.empty(),
                OptionalInt.empty());
    }

    /**
     * Writes the next revision durably and makes it the running one; prunes the oldest past the bound.
     *
     * @param confirmBy for a commit confirmed: the deadline, with {@code rollbackTo}
     */
    synchronized Revision append(String text, Instant time, Operator who, String comment, Revision.Origin origin,
                                 Optional<Instant> confirmBy, OptionalInt rollbackTo) throws IOException {
        ensureOpen();
        int number = index.isEmpty() ? 1 : index.lastKey() + 1;
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        Revision r = new Revision(number, time, who.name(), who.source(), comment, origin, confirmBy, rollbackTo,
                SealedFile.sha256Hex(utf8, utf8.length));
        DurableFiles.write(file(number), RevisionFile.encode(r, text));
        index.put(number, r);
        LOG.info("append: {} ({})", r.describe(), origin.word());
        prune();
        return r;
    }

    /** Records durably that revision {@code number} is confirmed. */
    synchronized void confirm(int number) throws IOException {
        ensureOpen();
        byte[] body = (CONFIRMED_MAGIC + "\nrevision: " + number + "\n").getBytes(StandardCharsets.US_ASCII);
        DurableFiles.write(confirmedFile, SealedFile.seal(body));
        confirmed = number;
        LOG.info("confirm: revision {} confirmed", number);
    }

    /** Deletes the oldest revisions beyond the bound, never the one a pending commit confirmed returns to. */
    private void prune() throws IOException {
        int protectedNumber = pending().map(PendingConfirm::rollbackTo).orElse(-1);
        boolean removed = false;
        List<Integer> numbers = new ArrayList<>(index.keySet());
        int excess = numbers.size() - keep;
        for (int i = 0; i < numbers.size() && excess > 0; i++) {
            int n = numbers.get(i);
            if (n == protectedNumber) {
                continue;
            }
            Files.deleteIfExists(file(n));
            index.remove(n);
            removed = true;
            excess--;
        }
        if (removed) {
            DurableFiles.syncDirectory(revisions);
        }
    }

    private Path file(int number) {
        return revisions.resolve(String.format("revision-%010d", number));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the configuration store is closed");
        }
    }

    /** Releases the lock; the store cannot be written after. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
