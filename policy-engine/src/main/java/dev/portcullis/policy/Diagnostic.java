package dev.portcullis.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * One problem found in a policy, with its place, what is wrong, and optionally how to fix it.
 *
 * <p>Printed as {@code FILE:LINE:COLUMN: error|warning: message}, with the hint on a second line.
 */
public record Diagnostic(Severity severity, Location location, String message, Optional<String> hint) {

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(hint, "hint");
    }

    public static Diagnostic error(Location location, String message) {
        return new Diagnostic(Severity.ERROR, location, message, Optional.empty());
    }

    public static Diagnostic warning(Location location, String message) {
        return new Diagnostic(Severity.WARNING, location, message, Optional.empty());
    }

    public Diagnostic withHint(String text) {
        return new Diagnostic(severity, location, message, Optional.of(text));
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The diagnostic as one or two lines of text, without a trailing newline. */
    public String format() {
        String line = location + ": " + severity.word() + ": " + message;
        return hint.map(h -> line + "\n    hint: " + h).orElse(line);
    }

    @Override
    public String toString() {
        return format();
    }
}
