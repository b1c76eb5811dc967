package dev.portcullis.mgmt.config;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One numbered revision of the policy in the store, without its text ({@link ConfigStore#text} reads that).
 *
 * @param number 1-based, one more than the revision before it
 * @param author who committed it; {@code system} for imports and automatic rollbacks
 * @param source where the author came from
 * @param comment the commit comment, possibly empty
 * @param confirmBy for {@code commit confirmed}: when it is rolled back unless confirmed before
 * @param rollbackTo for {@code commit confirmed}: the revision that comes back if it is not confirmed
 * @param sha256 the SHA-256 of the policy text's UTF-8 bytes, in hex
 */
public record Revision(int number, Instant time, String author, String source, String comment, Origin origin,
                       Optional<Instant> confirmBy, OptionalInt rollbackTo, String sha256) {

    /** How a revision came to be. */
    public enum Origin {
        /** The policy file the store started from, at first start. */
        IMPORT,
        /** A commit from a configuration session. */
        COMMIT,
        /** The revision before an unconfirmed {@code commit confirmed}, brought back by the appliance. */
        AUTOMATIC_ROLLBACK;

        /** The word in the revision file and in {@code show history}: import, commit, automatic-rollback. */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Optional<Origin> of(String word) {
            for (Origin o : values()) {
                if (o.word().equals(word)) {
                    return Optional.of(o);
                }
            }
            return Optional.empty();
        }
    }

    public Revision {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(comment, "comment");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(confirmBy, "confirmBy");
        Objects.requireNonNull(rollbackTo, "rollbackTo");
        Objects.requireNonNull(sha256, "sha256");
        if (number < 1) {
            throw new IllegalArgumentException("revision number " + number + " is not 1-based");
        }
        if (confirmBy.isPresent() != rollbackTo.isPresent()) {
            throw new IllegalArgumentException("revision " + number + ": confirmBy and rollbackTo go together");
        }
    }

    /** {@code revision 7 by alice from 198.51.100.7:50022 at 2026-...Z}, for messages. */
    public String describe() {
        return "revision " + number + " by " + author + " from " + source + " at " + time
                + (comment.isEmpty() ? "" : " ('" + comment + "')");
    }
}
