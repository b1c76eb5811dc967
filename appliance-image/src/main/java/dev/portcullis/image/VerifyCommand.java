package dev.portcullis.image;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis-image verify BUNDLE --key PUB}: checks a bundle as an appliance would, and prints its manifest. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify an update bundle's signature and every part's SHA-256, and print its manifest.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:valid", "1:refused (unsigned, wrong key, tampered, malformed)", "2:could not read"})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    Path bundle;

    @Option(names = "--key", required = true, paramLabel = "PUB", description = "The public key to trust.")
    Path key;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        VerifyingKey trusted;
        try {
            trusted = VerifyingKey.read(key);
        } catch (KeyFileException e) {
            throw new ImageFailure(ImageMain.EXIT_FAILED, e.getMessage());
        }
        try {
            Bundle b = Bundle.verify(bundle, trusted, new ConsoleProgress(spec.commandLine().getErr(),
                    System.console() != null));
            out.print(new String(ManifestFormat.write(b.manifest()), StandardCharsets.UTF_8));
            out.println("valid: signed by " + trusted.fingerprint());
            return 0;
        } catch (BundleException e) {
            throw new ImageFailure(ImageMain.EXIT_REFUSED, e.getMessage());
        }
    }
}
