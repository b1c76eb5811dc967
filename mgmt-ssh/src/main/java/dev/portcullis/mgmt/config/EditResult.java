package dev.portcullis.mgmt.config;

/**
 * What a {@code set} or {@code delete} did to the candidate.
 *
 * @param description the change in words: {@code set rules.web.action to drop}
 * @param layoutKept false when the candidate had to be rewritten in a canonical layout, which drops its comments
 */
public record EditResult(String description, boolean layoutKept) {
}
