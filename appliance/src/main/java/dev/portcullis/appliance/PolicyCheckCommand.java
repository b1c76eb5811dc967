package dev.portcullis.appliance;

import dev.portcullis.policy.Diagnostic;
import dev.portcullis.policy.Policy;
import dev.portcullis.policy.PolicyLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis policy check FILE}: prints every problem as {@code FILE:LINE:COLUMN: error|warning: message}
 * and exits 0 when the policy is valid (warnings allowed), 1 when it is invalid, 2 when it cannot be read.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check a policy file; print each problem as FILE:LINE:COLUMN: error|warning: message.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:valid (maybe with warnings)", "1:invalid", "2:could not read the file"})
final class PolicyCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The policy file (YAML).")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PolicyLoader.PolicyCheck check = PolicyFiles.check(file);
        for (Diagnostic d : check.diagnostics()) {
            out.println(d.format());
        }
        long errors = check.errors();
        long warnings = check.warnings();
        if (check.policy().isPresent()) {
            Policy p = check.policy().get();
            out.println(file + ": valid: " + p.rules().size() + " rules, " + p.services().size() + " services, "
                    + plural(warnings, "warning"));
            return 0;
        }
        out.println(file + ": invalid: " + plural(errors, "error") + ", " + plural(warnings, "warning"));
        return 1;
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
