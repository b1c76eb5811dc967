package dev.portcullis.mgmt.config;

import dev.portcullis.policy.Diagnostic;
import java.util.List;

/**
 * The full policy check of a candidate: every diagnostic with its line and column in the candidate text.
 *
 * @param valid true when there is no error (warnings allowed): the candidate can be committed
 */
public record CheckResult(boolean valid, int errors, int warnings, List<Diagnostic> diagnostics) {

    public CheckResult {
        diagnostics = List.copyOf(diagnostics);
    }

    /** As {@code portcullis policy check} prints it: each diagnostic, then a summary line. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : diagnostics) {
            sb.append(d.format()).append('\n');
        }
        sb.append(PolicyDocument.SOURCE).append(": ").append(valid ? "valid" : "invalid").append(", ")
                .append(errors).append(errors == 1 ? " error, " : " errors, ").append(warnings)
                .append(warnings == 1 ? " warning" : " warnings").append('\n');
        return sb.toString();
    }
}
