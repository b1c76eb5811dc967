package dev.portcullis.appliance;

import dev.portcullis.policy.PasswordHash;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
/**
 * {@code portcullis hash-password}: prints the hash of a password for appliance.yaml: a console user's
 * {@code password:} or the metrics endpoint's {@code basicAuth.passwordHash}. On a terminal the password is asked
 * twice and not echoed; otherwise the first line of standard input is the password
 * ({@code printf '%s\n' "$PW" | portcullis hash-password}). The password is never an argument, so it stays out of
 * the shell history and the process list.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = "Print the hash of a password for appliance.yaml (a console user's password, the metrics "
                + "endpoint's basic auth; PBKDF2-HMAC-SHA256).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "1:empty or mistyped password"})
final class HashPasswordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        char[] password = read();
        try {
            if (password.length == 0) {
                throw new CommandFailure(1, "the password is empty");
            }
            spec.commandLine().getOut().println(PasswordHash.hash(password));
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] read() throws IOException {
        java.io.Console console = System.console();
        if (console != null && console.isTerminal()) {
            char[] first = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (first == null || again == null || !Arrays.equals(first, again)) {
                throw new CommandFailure(1, "the two passwords differ");
            }
            Arrays.fill(again, '\0');
            return first;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? new char[0] : line.toCharArray();
    }
}
