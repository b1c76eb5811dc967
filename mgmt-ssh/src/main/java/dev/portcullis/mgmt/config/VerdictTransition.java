package dev.portcullis.mgmt.config;

import java.util.Objects;

/**
 * All sampled flows that go from one verdict under the running policy to another under the candidate, counted, with
 * one of them as an example.
 *
 * @param before the verdict under the running policy, as {@link VerdictChange#label}
 * @param after the verdict under the candidate
 * @param samples how many sampled flows (or, when exhaustive, classes of flows) make this transition
 */
public record VerdictTransition(String before, String after, long samples, VerdictChange example) {

    public VerdictTransition {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(example, "example");
    }
}
