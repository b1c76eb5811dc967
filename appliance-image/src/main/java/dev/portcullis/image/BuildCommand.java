package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis-image build}: see {@link ImageBuilder}. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build the root file system from Debian's packages (mmdebstrap, as root), the signed update "
                + "bundle and the full disk image. Packages come from the mirror this host's apt uses unless "
                + "--mirror is given.")
final class BuildCommand implements Callable<Integer> {

    /** Set by ./portcullis-image: the application's jars (files or directories of jars), colon-separated. */
    static final String JARS_PROPERTY = "portcullis.image.jars";

    @Spec
    CommandSpec spec;

    @Option(names = "--key", paramLabel = "FILE", description = "Signing key (default: ${DEFAULT-VALUE}).")
    Path key = KeygenCommand.DEFAULT_DIR.resolve("image-signing.key");

    @Option(names = "--out", paramLabel = "DIR", description = "Where the bundle and image go "
            + "(default: appliance-image/target/image in the repository).")
    Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "Intermediate files: root file system, partition "
            + "images (default: OUT/work).")
    Path work;

    @Option(names = "--repo", paramLabel = "DIR", description = "The repository (default: found from here).")
    Path repo;

    @Option(names = "--mirror", paramLabel = "URL", description = "Debian mirror to build from instead of the "
            + "host's apt sources.")
    String mirror;

    @Option(names = "--suite", paramLabel = "NAME", description = "Debian suite (default: the host's).")
    String suite;

    @Option(names = "--version", paramLabel = "VERSION", description = "Software version; the commit is added as "
            + "build metadata (default: the project's version).")
    String version;

    @Option(names = "--slot-size", paramLabel = "MiB", description = "Size of each root slot (default: "
            + "${DEFAULT-VALUE}).")
    long slotMib = 2048;

    @Option(names = "--esp-size", paramLabel = "MiB", description = "Size of the ESP (default: ${DEFAULT-VALUE}).")
    long espMib = 256;

    @Option(names = "--data-size", paramLabel = "MiB", description = "Size of the data partition "
            + "(default: ${DEFAULT-VALUE}).")
    long dataMib = 3072; // holds uploaded update bundles (about 940 MiB each) besides configuration and logs

    @Option(names = "--reuse-rootfs", description = "Keep the Debian part of the root file system from the last "
            + "build in the work directory (no mmdebstrap) and lay the overlay over it again; for iterating on the "
            + "later steps.")
    boolean reuseRootfs;

    @Override
    public Integer call() throws IOException {
        Path repoDir = repo != null ? repo : findRepo(Path.of("").toAbsolutePath());
        SigningKey signing;
        try {
            signing = SigningKey.read(key);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, key + ": no signing key; make one with "
                    + "`portcullis-image keygen` (it stays outside the repository)");
        } catch (KeyFileException e) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, e.getMessage());
        }
        String base = version != null ? version : ImageMain.Version.current();
        if (base.equals("development")) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, "no version: run from the packaged jar "
                    + "(./portcullis-image) or pass --version");
        }
        SoftwareVersion v;
        try {
            v = SoftwareVersion.parse(base);
        } catch (IllegalArgumentException e) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, "--version: " + e.getMessage());
        }
        Path outDir = out != null ? out : repoDir.resolve("appliance-image/target/image");
        long mib = DiskLayout.MIB;
        Path workDir = work != null ? work : outDir.resolve("work");
        ImageBuilder.Request request = new ImageBuilder.Request(repoDir, outDir, workDir, jars(),
                Path.of(System.getProperty("java.home")), signing, Optional.ofNullable(mirror),
                Optional.ofNullable(suite), v, espMib * mib, slotMib * mib, dataMib * mib, reuseRootfs);
        new ImageBuilder(spec.commandLine().getOut(), System.console() != null, Clock.systemUTC()).build(request);
        return 0;
    }

    static List<Path> jars() throws IOException {
        String prop = System.getProperty(JARS_PROPERTY);
        if (prop == null || prop.isBlank()) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, "the application's jars are not known: run through "
                    + "./portcullis-image, which sets -D" + JARS_PROPERTY);
        }
        List<Path> jars = new ArrayList<>();
        for (String part : prop.split(":")) {
            Path p = Path.of(part);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(jars::add);
                }
            } else if (Files.isRegularFile(p)) {
                jars.add(p);
            } else {
                throw new ImageFailure(ImageMain.EXIT_FAILED, p + " (from -D" + JARS_PROPERTY + ") does not exist");
            }
        }
        return jars;
    }

    static Path findRepo(Path from) {
        for (Path d = from; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("configs/systemd")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new ImageFailure(ImageMain.EXIT_FAILED, "not inside the Portcullis repository (no configs/systemd "
                + "above " + from + "); pass --repo");
    }
}
