package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects diagnostics while a policy is read and checked. Not thread-safe: one loader owns one instance.
 */
final class Diagnostics {

    /** Stop collecting past this many, so that a garbage file of 13 MB does not produce 13 MB of errors. */
    static final int MAX_REPORTED = 1000;

    private final List<Diagnostic> items = new ArrayList<>();
    private int errors;
    private int warnings;
    private int dropped;

    Diagnostic error(Location at, String message) {
        return add(Diagnostic.error(at, message));
    }

    Diagnostic warning(Location at, String message) {
        return add(Diagnostic.warning(at, message));
    }

    void error(Location at, String message, String hint) {
        add(Diagnostic.error(at, message).withHint(hint));
    }

    void warning(Location at, String message, String hint) {
        add(Diagnostic.warning(at, message).withHint(hint));
    }

    Diagnostic add(Diagnostic d) {
        if (d.isError()) {
            errors++;
        } else {
            warnings++;
        }
        if (items.size() < MAX_REPORTED) {
            items.add(d);
        } else {
            dropped++;
        }
        return d;
    }

    boolean hasErrors() {
        return errors > 0;
    }

    int errorCount() {
        return errors;
    }

    /** Every warning found, reported or not. */
    int warningCount() {
        return warnings;
    }

    /** Every diagnostic kept, sorted by place (stable for diagnostics at the same place). */
    List<Diagnostic> sorted() {
        List<Diagnostic> out = new ArrayList<>(items);
        out.sort(Comparator.comparing((Diagnostic d) -> d.location().line())
                .thenComparing(d -> d.location().column()));
        if (dropped > 0) {
            Location last = out.getLast().location();
            out.add(Diagnostic.warning(last, dropped + " more diagnostics were not reported"));
        }
        return out;
    }
}
