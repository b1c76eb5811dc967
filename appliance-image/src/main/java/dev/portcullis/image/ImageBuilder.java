package dev.portcullis.image;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code portcullis-image build}: from the built project to an update bundle and a full disk image.
 *
 * <ol>
 * <li>source: the commit and its time (SOURCE_DATE_EPOCH), the version;</li>
 * <li>java runtime: jdeps on the application's jars, jlink;</li>
 * <li>overlay: the application, commands, units, default configuration, public key;</li>
 * <li>root file system: mmdebstrap from the mirror the host's apt names (or {@code --mirror});</li>
 * <li>rootfs.img: mkfs.ext4 -d, times fixed;</li>
 * <li>bundle: manifest, signature, parts (rootfs, kernel, initrd);</li>
 * <li>ESP and data partition images;</li>
 * <li>disk image: GPT, both slots holding this build.</li>
 * </ol>
 *
 * Two builds of the same commit from the same package versions give the same manifest apart from the build time:
 * file times are clamped to the commit time, UUIDs derive from the commit, and ordering is fixed.
 */
public final class ImageBuilder {

    /** What to build from and where to. */
    public record Request(Path repo, Path out, Path work, List<Path> jars, Path jdk, SigningKey key,
                          Optional<String> mirror, Optional<String> suite, SoftwareVersion baseVersion,
                          long espBytes, long slotBytes, long dataBytes, boolean reuseRootfs) {
    }

    /** What came out. */
    public record Result(Manifest manifest, Path bundle, Path disk, Path manifestText) {
    }

    private static final int STEPS = 8;

    private final PrintWriter out;
    private final boolean interactive;
    private final Clock clock;
    private int step;
    private long stepStarted;

    public ImageBuilder(PrintWriter out, boolean interactive, Clock clock) {
        this.out = out;
        this.interactive = interactive;
        this.clock = clock;
    }

    public Result build(Request r) throws IOException {
        begin("source");
        SourceInfo src = SourceInfo.of(r.repo());
        SoftwareVersion base = r.baseVersion();
        SoftwareVersion version = src.version(new SoftwareVersion(base.major(), base.minor(), base.patch(),
                base.preRelease(), "").toString());
        long epoch = src.commitTime();
        List<String> sources = r.mirror().isPresent()
                ? List.of("deb " + r.mirror().get() + " " + r.suite().orElse("stable") + " main")
                : AptSources.debianLines(AptSources.read(Path.of("/etc/apt")), Path.of("/etc/apt"));
        String suite = r.suite().orElse(AptSources.suiteOf(sources));
        say("version " + version + ", commit " + src.commit() + (src.dirty() ? " (work tree has changes)" : "")
                + ", SOURCE_DATE_EPOCH " + epoch);
        say("packages from " + sources);
        Files.createDirectories(r.out());
        Path work = Files.createDirectories(r.work());
        Path overlay = clean(work.resolve("overlay"));
        Path rootfs = work.resolve("rootfs");
        Path boot = work.resolve("boot");
        Path complete = work.resolve("rootfs.complete");
        boolean reuse = r.reuseRootfs() && Files.exists(complete);
        if (r.reuseRootfs() && !reuse) {
            say("no complete root file system from an earlier build in " + work + "; building one");
        }

        begin("java runtime (jdeps, jlink)");
        List<String> modules = JavaRuntime.modulesFor(r.jdk(), r.jars());
        say("modules " + String.join(",", modules));
        JavaRuntime.link(r.jdk(), modules, createParent(overlay.resolve(RootfsOverlay.RUNTIME)));

        begin("overlay (application, units, default configuration, public key)");
        RootfsOverlay.stage(overlay, r.repo().resolve("configs"), r.jars(), r.key().publicKey(), version);

        if (reuse) {
            begin("root file system: the Debian part from " + rootfs + " (--reuse-rootfs), overlay laid over it");
            copyOver(overlay, rootfs);
        } else {
            begin("root file system (mmdebstrap " + suite + ")");
            Files.deleteIfExists(complete);
            clean(rootfs);
            Files.createDirectories(clean(boot));
            RootfsBuild.run(suite, sources, overlay, rootfs, boot, epoch, line -> say("  " + line));
            Files.writeString(complete, src.commit() + "\n");
        }

        begin("rootfs.img (mkfs.ext4 -d)");
        DiskLayout seedLayout = new DiskLayout(r.espBytes(), r.slotBytes(), r.dataBytes(), src.commit());
        long size = imageSize(rootfs);
        if (size > r.slotBytes()) {
            throw new IOException("the root file system needs " + size / DiskLayout.MIB + " MiB but a slot holds "
                    + r.slotBytes() / DiskLayout.MIB + " MiB; pass a larger --slot-size");
        }
        Path rootfsImg = work.resolve("rootfs.img");
        Ext4Image.make(rootfs, rootfsImg, size, "portcullis-root", seedLayout.uuid("rootfs"), epoch, false);
        say("rootfs.img " + size / DiskLayout.MIB + " MiB");

        begin("update bundle (sign with " + r.key().publicKey().fingerprint() + ")");
        String name = "portcullis-" + version;
        Path bundle = r.out().resolve(name + ".bundle");
        Manifest manifest = BundleWriter.write(bundle, new BundleSpec(version, src.commit(), clock.instant(),
                BundleSpec.TARGET_X86_64_EFI), Map.of(Manifest.ROOTFS, rootfsImg, Manifest.KERNEL,
                boot.resolve("vmlinuz"), Manifest.INITRD, boot.resolve("initrd.img")), Optional.of(r.key()),
                new ConsoleProgress(out, interactive));
        Path manifestText = Files.write(r.out().resolve(name + ".manifest"), ManifestFormat.write(manifest));

        begin("ESP and data partition images");
        Path espDir = clean(work.resolve("esp"));
        EspTree.stage(espDir, boot.resolve("systemd-bootx64.efi"), boot.resolve("vmlinuz"), boot.resolve("initrd.img"),
                manifest, SystemLayout.DEFAULT_KERNEL_OPTIONS);
        Path espImg = work.resolve("esp.img");
        EspImage.make(espDir, espImg, r.espBytes(), src.commit().substring(0, 8), epoch);
        Path dataDir = clean(work.resolve("data"));
        Files.createDirectories(dataDir.resolve("logs"));
        r.key().publicKey().write(Files.createDirectories(dataDir.resolve("keys")).resolve("image-signing.pub"));
        copyDir(overlay.resolve(RootfsOverlay.DEFAULT_CONFIG), dataDir.resolve("config"));
        Path dataImg = work.resolve("data.img");
        Ext4Image.make(dataDir, dataImg, r.dataBytes(), DiskLayout.DATA_NAME, seedLayout.uuid("data-fs"), epoch, true);

        begin("disk image (GPT: esp, root A, root B, data)");
        Path disk = r.out().resolve(name + ".img");
        DiskImage.assemble(seedLayout, new DiskImage.Parts(espImg, rootfsImg, rootfsImg, dataImg), disk,
                new ConsoleProgress(out, interactive));
        end();
        say("bundle    " + bundle + " (" + Files.size(bundle) / DiskLayout.MIB + " MiB)");
        say("disk      " + disk + " (" + seedLayout.diskBytes() / DiskLayout.MIB + " MiB, sparse)");
        say("manifest  " + manifestText);
        return new Result(manifest, bundle, disk, manifestText);
    }

    /** The ext4 size for a tree: its blocks and inodes with a quarter spare, in whole 64 MiB. */
    static long imageSize(Path tree) throws IOException {
        long[] total = {0};
        try (Stream<Path> walk = Files.walk(tree)) {
            walk.forEach(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    total[0] += 256 + (a.isRegularFile() ? (a.size() + 4095) / 4096 * 4096 : 4096);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        long chunk = 64 * DiskLayout.MIB;
        long wanted = total[0] + total[0] / 4 + chunk;
        return (wanted + chunk - 1) / chunk * chunk;
    }

    private void begin(String what) {
        end();
        step++;
        stepStarted = clock.millis();
        say("[" + step + "/" + STEPS + "] " + what);
    }

    private void end() {
        if (step > 0) {
            say(String.format(java.util.Locale.ROOT, "      done in %.1f s", (clock.millis() - stepStarted) / 1000.0));
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static Path createParent(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        return p;
    }

    /** Deletes {@code p} if it exists (a previous build's leftovers) and returns it. */
    static Path clean(Path p) throws IOException {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(x);
                }
            }
        }
        return p;
    }

    /** Copies every file of {@code from} over {@code to}, replacing what is there; the rest of {@code to} stays. */
    private static void copyOver(Path from, Path to) throws IOException {
        copyTree(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** Copies the tree {@code from} to {@code to}; a file already there is an error. */
    private static void copyDir(Path from, Path to) throws IOException {
        copyTree(from, to);
    }

    private static void copyTree(Path from, Path to, java.nio.file.CopyOption... options) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted().toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, options);
                }
            }
        }
    }
}
