package dev.portcullis.appliance;

import dev.portcullis.monitoring.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis hash-password}: reads a password (from the terminal without echo, or the first line of
 * standard input) and prints its hash for {@code metrics.basicAuth.passwordHash} in {@code appliance.yaml}. The
 * password is never an argument, so it stays out of the shell history and the process list.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = "Read a password and print its hash for appliance.yaml (metrics.basicAuth.passwordHash).",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:printed", "1:empty password"})
final class HashPasswordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Console console = System.console();
        char[] password;
        if (console != null) {
            password = console.readPassword("password: ");
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            throw new CommandFailure(1, "no password given");
        }
        try {
            spec.commandLine().getOut().println(PasswordHash.create(password));
        } finally {
            Arrays.fill(password, '\0');
        }
        return 0;
    }
}
