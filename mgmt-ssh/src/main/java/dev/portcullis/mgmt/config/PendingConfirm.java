package dev.portcullis.mgmt.config;

import java.time.Instant;
import java.util.Objects;

/**
 * A {@code commit confirmed} waiting for {@code confirm}: unless confirmed by {@code deadline}, revision
 * {@code rollbackTo} comes back by itself.
 */
public record PendingConfirm(Revision revision, Instant deadline, int rollbackTo) {

    public PendingConfirm {
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(deadline, "deadline");
    }
}
