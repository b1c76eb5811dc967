package dev.portcullis.policy;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy could not be accepted. Carries every diagnostic found, errors and warnings, in source order; at least
 * one of them is an error.
 */
public final class PolicyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<Diagnostic> diagnostics;

    public PolicyException(List<Diagnostic> diagnostics) {
        super(summary(diagnostics));
        this.diagnostics = List.copyOf(diagnostics);
    }

    private static String summary(List<Diagnostic> diagnostics) {
        List<Diagnostic> errors = diagnostics.stream().filter(Diagnostic::isError).toList();
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a PolicyException needs at least one error");
        }
        String first = errors.getFirst().format();
        return errors.size() == 1 ? first : first + "\n(and " + (errors.size() - 1) + " more errors)";
    }

    /** All diagnostics, errors and warnings, in source order. */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** The diagnostics as printed by {@code policy check}, one per line (hints on their own lines). */
    public String report() {
        return diagnostics.stream().map(Diagnostic::format).collect(Collectors.joining("\n"));
    }
}
