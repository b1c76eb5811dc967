package dev.portcullis.mgmt.config;

import dev.portcullis.policy.Diagnostic;
import dev.portcullis.router.ReloadReport;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A commit done: the new running revision, what the data plane changed, the candidate's warnings, and for a
 * {@code commit confirmed} the pending confirmation.
 */
public record CommitResult(Revision revision, ReloadReport reload, List<Diagnostic> warnings,
                           Optional<PendingConfirm> pending) {

    public CommitResult {
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(reload, "reload");
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(pending, "pending");
    }
}
