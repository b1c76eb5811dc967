package dev.portcullis.mgmt.config;

import dev.portcullis.policy.Diagnostic;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A configuration command could not be done; nothing running or stored changed. The message says what and why in
 * words an operator can act on; {@link #kind} lets a console or a script tell the cases apart, and
 * {@link #diagnostics} carries the policy check's findings when the candidate was refused as invalid.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** A path for {@code set} or {@code delete} is malformed or names nothing that can be changed. */
        BAD_PATH,
        /** A value for {@code set} is not a YAML scalar or flow collection. */
        BAD_VALUE,
        /** A file for {@code load} is outside the upload area, missing, too large or not UTF-8 text. */
        BAD_FILE,
        /** The candidate is not YAML a set or delete can work on (a {@code load} or {@code discard} fixes it). */
        UNEDITABLE,
        /** The candidate fails the policy check; the diagnostics say where and why. */
        INVALID_CANDIDATE,
        /** Another commit changed the running revision since the candidate was taken. */
        CONFLICT,
        /** The data plane refused the policy (for example, a listener could not be bound). */
        APPLY_FAILED,
        /** The store could not write; the running policy is as it was. */
        STORE_FAILED,
        /** No revision has that number (never made, or pruned). */
        NO_SUCH_REVISION,
        /** {@code confirm} with no commit waiting for confirmation. */
        NOTHING_TO_CONFIRM,
        /** The service cannot commit yet ({@link ConfigService#start} was not called) or any more (closed). */
        NOT_RUNNING,
        /** The stored running revision is not a valid policy, so the service cannot start on it. */
        INVALID_RUNNING
    }

    private final Kind kind;
    private final transient List<Diagnostic> diagnostics;

    public ConfigException(Kind kind, String message) {
        this(kind, message, List.of(), null);
    }

    public ConfigException(Kind kind, String message, Throwable cause) {
        this(kind, message, List.of(), cause);
    }

    public ConfigException(Kind kind, String message, List<Diagnostic> diagnostics) {
        this(kind, message, diagnostics, null);
    }

    private ConfigException(Kind kind, String message, List<Diagnostic> diagnostics, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.diagnostics = List.copyOf(diagnostics);
    }

    public Kind kind() {
        return kind;
    }

    /** The policy check's findings, errors and warnings in source order; empty unless the candidate was invalid. */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** The message, then each diagnostic on its own line(s), as a console prints it. */
    public String report() {
        if (diagnostics.isEmpty()) {
            return getMessage();
        }
        return getMessage() + "\n" + diagnostics.stream().map(Diagnostic::format).collect(Collectors.joining("\n"));
    }
}
