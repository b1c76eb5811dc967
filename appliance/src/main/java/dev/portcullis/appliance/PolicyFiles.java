package dev.portcullis.appliance;

import dev.portcullis.policy.Diagnostic;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.PolicyLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Loads a policy file for commands that need a valid one, printing its diagnostics when it is not. */
final class PolicyFiles {

    private PolicyFiles() {
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws CommandFailure exit 2 when the file cannot be read (missing, not UTF-8)
     */
    static PolicyLoader.PolicyCheck check(Path file) {
        try {
            return PolicyLoader.check(file);
        } catch (NoSuchFileException e) {
            throw new CommandFailure(Main.EXIT_UNREADABLE, file + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure(Main.EXIT_UNREADABLE, file + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * The valid policy in {@code file}, compiled; its warnings go to {@code err}.
     *
     * @throws CommandFailure exit 2 when unreadable, 1 when invalid (after printing every diagnostic)
     */
    static CompiledPolicy load(Path file, PrintWriter err) {
        PolicyLoader.PolicyCheck check = check(file);
        for (Diagnostic d : check.diagnostics()) {
            err.println(d.format());
        }
        return check.compiled().orElseThrow(() -> new CommandFailure(1, file + ": invalid policy"));
    }
}
