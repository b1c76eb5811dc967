package dev.portcullis.mgmt.config;

import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.Verdict;
import java.util.Objects;

/** One flow that the running policy and the candidate decide differently: other action, or other deciding rule. */
public record VerdictChange(FlowKey flow, Verdict before, Verdict after) {

    public VerdictChange {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }

    /** {@code tcp 198.51.100.7:40000 -> 203.0.113.10:443: accept by rule 'web' -> drop by default}. */
    public String describe() {
        return flow + ": " + label(before) + " -> " + label(after);
    }

    /** A verdict as {@code accept by rule 'web'} or {@code drop by default}: rules by name, which commits keep. */
    public static String label(Verdict v) {
        return v.rule().map(r -> v.action().word() + " by rule '" + r.name() + "'")
                .orElse(v.action().word() + " by default");
    }
}
