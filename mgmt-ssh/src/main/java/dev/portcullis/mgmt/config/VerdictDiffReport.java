package dev.portcullis.mgmt.config;

import java.util.List;

/**
 * What a candidate would decide differently from the running policy.
 *
 * @param exhaustive true when every class of flows was tried (the policies were small enough): then an empty
 *                   {@code transitions} proves the candidate decides every flow as the running policy does
 * @param sampled flows classified (when exhaustive: one per class of flows that both policies treat alike)
 * @param transitions each change of verdict found, most frequent first
 * @param recentSampled recent real flows from the data plane that were classified
 * @param recentChanges those of them whose verdict changes, newest first (at most {@link VerdictDiff#MAX_LISTED})
 * @param recentChanged how many recent flows change, listed or not
 */
public record VerdictDiffReport(boolean exhaustive, long sampled, List<VerdictTransition> transitions,
                                int recentSampled, List<VerdictChange> recentChanges, int recentChanged) {

    public VerdictDiffReport {
        transitions = List.copyOf(transitions);
        recentChanges = List.copyOf(recentChanges);
    }

    /** Whether any verdict changes. */
    public boolean changes() {
        return !transitions.isEmpty() || recentChanged > 0;
    }

    /** The report as a console prints it. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        if (!changes()) {
            sb.append(exhaustive ? "No flow changes verdict (every class of flows checked).\n"
                    : "No sampled flow changes verdict (" + sampled + " rule-corner flows, " + recentSampled
                    + " recent flows).\n");
            return sb.toString();
        }
        sb.append("Verdict changes (").append(exhaustive ? "every class of flows checked"
                : sampled + " rule-corner flows sampled").append("):\n");
        for (VerdictTransition t : transitions) {
            sb.append("  ").append(t.before()).append(" -> ").append(t.after()).append(": ").append(t.samples())
                    .append(t.samples() == 1 ? " flow class" : " flow classes").append(", e.g. ")
                    .append(t.example().flow()).append('\n');
        }
        if (recentSampled > 0) {
            sb.append("Recent real flows: ").append(recentChanged).append(" of ").append(recentSampled)
                    .append(" would change").append(recentChanged == 0 ? ".\n" : ":\n");
            for (VerdictChange c : recentChanges) {
                sb.append("  ").append(c.describe()).append('\n');
            }
            if (recentChanged > recentChanges.size()) {
                sb.append("  (").append(recentChanged - recentChanges.size()).append(" more)\n");
            }
        }
        return sb.toString();
    }
}
