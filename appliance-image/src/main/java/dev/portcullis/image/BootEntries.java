package dev.portcullis.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slots' entry files in {@code loader/entries/} on the ESP. Every change is atomic at the file level: an entry
 * is written to a temporary name (which systemd-boot ignores: it does not end in {@code .conf}), flushed, then
 * renamed; counters change by rename, as systemd-boot and {@code systemd-bless-boot} do. The renamed file and the
 * directory are flushed after each change ({@link #syncMoved}).
 *
 * <p>Not thread-safe: {@link SoftwareManager} serialises its callers.
 */
final class BootEntries {

    private static final Logger LOG = LoggerFactory.getLogger(BootEntries.class);

    /** A slot's entry file as found on the ESP. */
    record Found(Path file, BootCounter counter, long generation) {
    }

    private final EspLayout esp;

    BootEntries(EspLayout esp) {
        this.esp = esp;
    }

    /** Every entry of ours, whatever the slot. */
    List<Found> all() throws IOException {
        List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(esp.entries())) {
            return found;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(esp.entries(), "*.conf")) {
            for (Path p : dir) {
                Optional<BootCounter> c = BootCounter.parse(p.getFileName().toString());
                if (c.isPresent()) {
                    found.add(new Found(p, c.get(), LoaderEntry.generationOf(Files.readString(p))));
                }
            }
        }
        found.sort(Comparator.comparing((Found f) -> f.file().getFileName().toString()));
        return found;
    }

    /**
     * The slot's entry. Two entries for one slot cannot come from our renames (each is atomic); if someone made
     * them, the one with the highest generation is used and the others are reported.
     */
    Optional<Found> find(Slot slot) throws IOException {
        List<Found> mine = all().stream().filter(f -> f.counter().slot() == slot).toList();
        if (mine.size() > 1) {
            LOG.warn("find: slot {} has {} entries {}; using the newest", slot.id(), mine.size(),
                    mine.stream().map(f -> f.file().getFileName().toString()).toList());
        }
        return mine.stream().max(Comparator.comparingLong(Found::generation));
    }

    /** The generation a newly installed slot gets: one more than any entry's. */
    long nextGeneration() throws IOException {
        return all().stream().mapToLong(Found::generation).max().orElse(0) + 1;
    }

    /** Writes the slot's entry with {@code counter}, replacing any entry the slot had. */
    Path write(LoaderEntry entry, BootCounter counter) throws IOException {
        if (counter.slot() != entry.slot()) {
            throw new IllegalArgumentException("counter for slot " + counter.slot() + " on entry of slot "
                    + entry.slot());
        }
        Files.createDirectories(esp.entries());
        Path target = esp.entries().resolve(counter.fileName());
        Path tmp = esp.entries().resolve("." + counter.fileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            BundleWriter.writeFully(ch, StandardCharsets.UTF_8.encode(entry.text()));
            ch.force(true);
        }
        for (Found old : all()) {
            if (old.counter().slot() == entry.slot() && !old.file().equals(target)) {
                Files.delete(old.file());
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncMoved(target);
        return target;
    }

    /** Renames the entry to carry {@code counter}; returns the new path. */
    Path rename(Found entry, BootCounter counter) throws IOException {
        Path target = entry.file().resolveSibling(counter.fileName());
        if (!target.equals(entry.file())) {
            Files.move(entry.file(), target, StandardCopyOption.ATOMIC_MOVE);
            syncMoved(target);
        }
        return target;
    }

    /** Removes the slot's entries: the slot no longer boots. */
    void remove(Slot slot) throws IOException {
        boolean removed = false;
        for (Found f : all()) {
            if (f.counter().slot() == slot) {
                Files.delete(f.file());
                removed = true;
            }
        }
        if (removed) {
            syncDirectory(esp.entries());
        }
    }

    /**
     * Makes a rename durable: flushes the file, then its directory. On the ESP (vfat) the directory alone is not
     * enough: Linux's vfat rename writes the new directory entry with size 0 and no first cluster, and fills them in
     * only when the file's inode is written back. Power lost before that left an empty {@code portcullis-b.conf}
     * after the boot assessment had marked slot b good (QEMU end-to-end test, offline mode, which powers off hard),
     * and systemd-boot then had no good slot to fall back to. Flushing the file writes its inode, entry included.
     */
    static void syncMoved(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
        syncDirectory(file.getParent());
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
