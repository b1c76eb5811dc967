package dev.portcullis.image;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code portcullis-image} command.
 *
 * <pre>
 * portcullis-image keygen
 * portcullis-image build --key ~/.config/portcullis/image-signing.key --out build/image
 * portcullis-image verify build/image/portcullis-0.1.0+g1a2b3c4d5e6.bundle --key image-signing.pub
 * portcullis-image flash build/image/portcullis-0.1.0+g1a2b3c4d5e6.img --target /dev/sdb
 * portcullis-image software show        (on the appliance)
 * </pre>
 */
@Command(name = "portcullis-image", mixinStandardHelpOptions = true, versionProvider = ImageMain.Version.class,
        description = "Build, sign, verify and flash Portcullis appliance images; install updates into A/B slots.",
        subcommands = {KeygenCommand.class, BuildCommand.class, BundleCommand.class, VerifyCommand.class,
            FlashCommand.class, SoftwareCommand.class, CommandLine.HelpCommand.class})
public final class ImageMain {

    /** Refused: a bundle, a flash target or an installation was refused for a stated reason. */
    static final int EXIT_REFUSED = 1;
    /** Could not run: a missing file or tool, an I/O error. */
    static final int EXIT_FAILED = 2;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new ImageMain());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getOut().flush();
            line.getErr().println("portcullis-image: " + e.getMessage());
            line.getErr().flush();
            return e instanceof ImageFailure f ? f.exitCode() : EXIT_FAILED;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("portcullis-image: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return EXIT_FAILED;
        });
        return cli.execute(args);
    }

    /** The module's version (the project's, recorded by the compiler), or "development" outside a jar. */
    static final class Version implements IVersionProvider {
        static String current() {
            return ImageMain.class.getModule().getDescriptor() == null ? "development"
                    : ImageMain.class.getModule().getDescriptor().rawVersion().orElse("development");
        }

        @Override
        public String[] getVersion() {
            return new String[] {"portcullis-image " + current(), "Java " + Runtime.version()};
        }
    }
}
