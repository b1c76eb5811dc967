package dev.portcullis.appliance;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code portcullis} command.
 *
 * <pre>
 * portcullis policy check FILE
 * portcullis policy test FILE --from 198.51.100.7 --to 203.0.113.10:443
 * portcullis bench classify --rules acl1_10K.rules --trace acl1_10K.trace.gz
 * </pre>
 */
@Command(name = "portcullis", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Edge router and cluster firewall for Kubernetes clusters.",
        subcommands = {RunCommand.class, DemoCommand.class, PolicyCommand.class, BenchCommand.class,
            HashPasswordCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {

    /** Exit code when an input could not be read at all (missing file, not text). */
    static final int EXIT_UNREADABLE = 2;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs the command with the given arguments, writing to {@code out} and {@code err}, and returns its exit
     * code; for tests and for {@link #main}.
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("portcullis: " + e.getMessage());
            line.getErr().flush();
            return e instanceof CommandFailure f ? f.exitCode() : EXIT_UNREADABLE;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("portcullis: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return EXIT_UNREADABLE;
        });
        return cli.execute(args);
    }
}
