package dev.portcullis.mgmt.config;

/**
 * What a {@code load} or {@code rollback} put into the candidate.
 *
 * @param description in words: {@code loaded policy.yaml (120 lines)}, {@code loaded revision 7 (120 lines)}
 */
public record LoadResult(String description, int lines) {
}
