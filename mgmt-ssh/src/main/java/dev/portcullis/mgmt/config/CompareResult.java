package dev.portcullis.mgmt.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A candidate compared with a revision: the text diff, the candidate's check, and the verdict diff when the
 * candidate is valid.
 *
 * @param against the revision compared with (the running one unless another was asked for)
 * @param diff a unified diff from the revision to the candidate; empty when they are equal
 * @param verdicts what the candidate decides differently; empty when the candidate (or the old revision, under
 *                 today's checks) is invalid
 */
public record CompareResult(Revision against, String diff, CheckResult check, Optional<VerdictDiffReport> verdicts) {

    public CompareResult {
        Objects.requireNonNull(against, "against");
        Objects.requireNonNull(diff, "diff");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(verdicts, "verdicts");
    }

    /** The text diff, then the verdict diff (or why there is none), as a console prints them. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(diff.isEmpty() ? "The candidate's text is the same as revision " + against.number() + ".\n" : diff);
        if (verdicts.isPresent()) {
            sb.append(verdicts.get().format());
        } else if (!check.valid()) {
            sb.append("No verdict diff: the candidate has ").append(check.errors())
                    .append(check.errors() == 1 ? " error" : " errors").append(" (see check).\n");
        } else {
            sb.append("No verdict diff: revision ").append(against.number())
                    .append(" is not a valid policy under this version's checks.\n");
        }
        return sb.toString();
    }
}
