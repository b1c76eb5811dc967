package dev.portcullis.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software in the A/B slots, as the console shows and changes it.
 *
 * <ul>
 * <li>{@link #add}: {@code request system software add FILE}. Verifies the bundle against the trusted key
 * (unsigned, tampered, wrong-key and, unless forced, older bundles are refused before anything is written), then
 * writes the inactive slot: first its boot entry is removed (so a half-written slot never boots), then the root
 * file system, kernel, initrd and manifest are written and flushed, and last the entry is written with one try
 * ({@code portcullis-b+1-0.conf}). An interruption anywhere leaves the running slot and its entry untouched.</li>
 * <li>{@link #reboot}: {@code request system reboot}.</li>
 * <li>{@link #assessBoot}: after boot, marks the running slot good when the health check passes in time, bad
 * otherwise (the boot loader then boots the other slot).</li>
 * <li>{@link #slots}: {@code show system software}.</li>
 * </ul>
 *
 * <p>Threading: every method that reads or changes the ESP does so holding this object's lock (the health check
 * of {@link #assessBoot} is polled without it); across processes, installs also hold a lock file on the ESP.
 */
public final class SoftwareManager {

    private static final Logger LOG = LoggerFactory.getLogger(SoftwareManager.class);

    /** What an installation did. */
    public record Installed(Slot slot, Manifest manifest, Path entry) {
    }

    /** What a boot assessment decided, and the health problems seen last when it was bad. */
    public record Assessment(Outcome outcome, Slot slot, List<String> problems) {
        public enum Outcome { ALREADY_GOOD, MARKED_GOOD, MARKED_BAD }
    }

    private final SystemLayout layout;
    private final VerifyingKey trusted;
    private final Reboot reboot;
    private final BootEntries entries;
    private final Path sysClassBlock;

    public SoftwareManager(SystemLayout layout, VerifyingKey trusted, Reboot reboot) {
        this(layout, trusted, reboot, Path.of("/sys/class/block"));
    }

    SoftwareManager(SystemLayout layout, VerifyingKey trusted, Reboot reboot, Path sysClassBlock) {
        this.layout = layout;
        this.trusted = trusted;
        this.reboot = reboot;
        this.entries = new BootEntries(layout.esp());
        this.sysClassBlock = sysClassBlock;
    }

    /** Both slots, A then B. */
    public synchronized List<SlotStatus> slots() throws IOException {
        List<BootEntries.Found> all = entries.all();
        Optional<Slot> next = all.stream()
                .sorted(Comparator.comparing((BootEntries.Found f) -> f.counter().isBad())
                        .thenComparing(Comparator.comparingLong(BootEntries.Found::generation).reversed()))
                .map(f -> f.counter().slot()).findFirst();
        List<SlotStatus> out = new ArrayList<>();
        for (Slot s : Slot.values()) {
            Optional<BootEntries.Found> e = entries.find(s);
            boolean running = layout.running().equals(Optional.of(s));
            out.add(new SlotStatus(s, readManifest(s), running,
                    SlotHealth.of(e.map(BootEntries.Found::counter), running), next.equals(Optional.of(s)),
                    e.map(BootEntries.Found::generation).orElse(0L)));
        }
        return out;
    }

    /** The signed manifest kept on the ESP for the slot's software; empty when absent or unreadable. */
    Optional<Manifest> readManifest(Slot s) throws IOException {
        try {
            return Optional.of(ManifestFormat.parse(Files.readAllBytes(layout.esp().manifest(s))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            LOG.warn("readManifest: {}: {}", layout.esp().manifest(s), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Installs {@code bundle} into the slot not running, to be tried once at the next boot; see the class comment.
     * {@code force} allows an older version, and installing while the running slot is still on trial (which
     * overwrites the slot it would fall back to).
     */
    public synchronized Installed add(Path bundle, boolean force, Progress progress)
            throws BundleException, InstallException, IOException {
        Slot running = layout.running().orElseThrow(() -> new InstallException("this system was not booted from a "
                + "slot (no portcullis.slot= on the kernel command line); nothing can be installed"));
        Slot target = running.other();
        Files.createDirectories(layout.esp().root().resolve(EspLayout.DIR));
        try (FileChannel lockChannel = FileChannel.open(layout.esp().lockFile(), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = tryLock(lockChannel)) {
            Bundle b = Bundle.verify(bundle, trusted, progress);
            Manifest m = b.manifest();
            if (!m.target().equals(layout.target())) {
                throw new BundleException(bundle, BundleException.Failure.WRONG_TARGET, "built for target '"
                        + m.target() + "', this system is '" + layout.target() + "'");
            }
            for (String part : List.of(Manifest.ROOTFS, Manifest.KERNEL, Manifest.INITRD)) {
                if (m.part(part).isEmpty()) {
                    throw new BundleException(bundle, BundleException.Failure.MALFORMED, "the bundle has no '"
                            + part + "' part; an installable bundle has rootfs, kernel and initrd");
                }
            }
            Optional<Manifest> current = readManifest(running);
            if (current.isPresent() && m.version().isOlderThan(current.get().version()) && !force) {
                throw new BundleException(bundle, BundleException.Failure.OLDER, "version " + m.version()
                        + " is older than the running " + current.get().version() + "; force it to downgrade");
            }
            Optional<BootEntries.Found> runningEntry = entries.find(running);
            if (runningEntry.isPresent() && !runningEntry.get().counter().isGood() && !force) {
                throw new InstallException("the running slot " + running.id() + " is on trial (not yet marked good);"
                        + " installing now would overwrite slot " + target.id() + ", the one it falls back to");
            }
            Path device = layout.slotDevices().get(target);
            long capacity = BlockDevices.capacity(device, sysClassBlock);
            long rootfs = m.part(Manifest.ROOTFS).orElseThrow().size();
            if (rootfs > capacity) {
                throw new InstallException("the root file system is " + rootfs + " bytes but slot " + target.id()
                        + " (" + device + ") holds " + capacity);
            }
            LOG.info("add: installing {} from {} into slot {} ({})", m.version(), bundle, target.id(), device);
            entries.remove(target);
            Files.deleteIfExists(layout.esp().manifest(target));
            writeRootfs(b, device, progress);
            Files.createDirectories(layout.esp().slotDir(target));
            writeFile(layout.esp().kernel(target), ch -> b.copyPart(Manifest.KERNEL, ch, progress));
            writeFile(layout.esp().initrd(target), ch -> b.copyPart(Manifest.INITRD, ch, progress));
            writeFile(layout.esp().manifest(target), ch -> BundleWriter.writeFully(ch,
                    java.nio.ByteBuffer.wrap(ManifestFormat.write(m))));
            BootEntries.syncDirectory(layout.esp().slotDir(target));
            Path entry = entries.write(new LoaderEntry(target, m.version().toString(), entries.nextGeneration(),
                    layout.kernelOptions()), BootCounter.tries(target, 1, 0));
            LOG.info("add: slot {} holds {} and boots once at the next boot ({})", target.id(), m.version(),
                    entry.getFileName());
            return new Installed(target, m, entry);
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException, InstallException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new InstallException("another installation is running");
        }
        return lock;
    }

    private static void writeRootfs(Bundle b, Path device, Progress progress) throws IOException, BundleException {
        progress.begin("write root file system to " + device, b.manifest().part(Manifest.ROOTFS).orElseThrow().size());
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.WRITE)) {
            b.copyPart(Manifest.ROOTFS, ch, progress);
            ch.force(true);
        }
        progress.end();
    }

    private interface ChannelWriter {
        void write(FileChannel ch) throws IOException, BundleException;
    }

    /** Writes {@code file} beside itself, flushes, renames it into place and flushes again (see syncMoved). */
    private static void writeFile(Path file, ChannelWriter writer) throws IOException, BundleException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writer.write(ch);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        BootEntries.syncMoved(file);
    }

    /** {@code request system reboot}. */
    public void reboot() throws IOException {
        LOG.info("reboot: rebooting");
        reboot.reboot();
    }

    /**
     * After boot: when the running slot is on trial, asks {@code check} every {@code interval} until it passes
     * (the slot is marked good, like {@code systemd-bless-boot good}) or {@code timeout} has passed (marked bad:
     * the caller should reboot, and the boot loader starts the other slot). A slot already good is left alone.
     */
    public Assessment assessBoot(HealthCheck check, Duration timeout, Duration interval)
            throws IOException, InstallException {
        return assessBoot(check, timeout, interval, Clock.systemUTC());
    }

    /**
     * Polls without holding this object's lock (the console may show the slots meanwhile); the entry is read and
     * renamed under it.
     */
    Assessment assessBoot(HealthCheck check, Duration timeout, Duration interval, Clock clock)
            throws IOException, InstallException {
        Slot running = layout.running().orElseThrow(() -> new InstallException(
                "this system was not booted from a slot (no portcullis.slot= on the kernel command line)"));
        if (runningEntry(running).counter().isGood()) {
            LOG.info("assessBoot: slot {} is already good", running.id());
            return new Assessment(Assessment.Outcome.ALREADY_GOOD, running, List.of());
        }
        Instant deadline = clock.instant().plus(timeout);
        List<String> problems = check.problems();
        while (!problems.isEmpty() && clock.instant().isBefore(deadline)) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            problems = check.problems();
        }
        return decide(running, problems, timeout);
    }

    private synchronized BootEntries.Found runningEntry(Slot running) throws IOException, InstallException {
        return entries.find(running).orElseThrow(() -> new InstallException(
                "the running slot " + running.id() + " has no boot entry in " + layout.esp().entries()));
    }

    private synchronized Assessment decide(Slot running, List<String> problems, Duration timeout)
            throws IOException, InstallException {
        BootEntries.Found entry = runningEntry(running);
        if (entry.counter().isGood()) {
            return new Assessment(Assessment.Outcome.ALREADY_GOOD, running, List.of());
        }
        if (problems.isEmpty()) {
            entries.rename(entry, entry.counter().blessed());
            LOG.info("assessBoot: slot {} passed its health check; marked good", running.id());
            return new Assessment(Assessment.Outcome.MARKED_GOOD, running, List.of());
        }
        entries.rename(entry, entry.counter().condemned());
        LOG.error("assessBoot: slot {} failed its health check within {}: {}; marked bad, the other slot boots next",
                running.id(), timeout, problems);
        return new Assessment(Assessment.Outcome.MARKED_BAD, running, List.copyOf(problems));
    }
}
