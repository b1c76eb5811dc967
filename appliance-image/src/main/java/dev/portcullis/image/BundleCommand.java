package dev.portcullis.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-image bundle}: signs an update bundle from parts made elsewhere (a build's work directory, a
 * patched root file system); {@code build} does the same with the parts it makes.
 */
@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = "Make a signed update bundle from a root file system image, a kernel and an initrd.")
final class BundleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rootfs", required = true, paramLabel = "FILE", description = "ext4 image of the root.")
    Path rootfs;

    @Option(names = "--kernel", required = true, paramLabel = "FILE")
    Path kernel;

    @Option(names = "--initrd", required = true, paramLabel = "FILE")
    Path initrd;

    @Option(names = "--version", required = true, paramLabel = "VERSION")
    String version;

    @Option(names = "--source", paramLabel = "COMMIT", description = "Source commit (default: ${DEFAULT-VALUE}).")
    String source = "unknown";

    @Option(names = "--key", paramLabel = "FILE", description = "Signing key (default: ${DEFAULT-VALUE}).")
    Path key = KeygenCommand.DEFAULT_DIR.resolve("image-signing.key");

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() throws IOException {
        SigningKey signing;
        try {
            signing = SigningKey.read(key);
        } catch (KeyFileException e) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, e.getMessage());
        }
        BundleSpec bundleSpec;
        try {
            bundleSpec = new BundleSpec(SoftwareVersion.parse(version), source, Clock.systemUTC().instant(),
                    BundleSpec.TARGET_X86_64_EFI);
        } catch (IllegalArgumentException e) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, e.getMessage());
        }
        Manifest m = BundleWriter.write(out, bundleSpec, Map.of(Manifest.ROOTFS, rootfs, Manifest.KERNEL, kernel,
                Manifest.INITRD, initrd), Optional.of(signing), new ConsoleProgress(spec.commandLine().getErr(),
                System.console() != null));
        spec.commandLine().getOut().print(new String(ManifestFormat.write(m), StandardCharsets.UTF_8));
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }
}
