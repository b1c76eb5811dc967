package dev.portcullis.policy;

/** How serious a {@link Diagnostic} is: an error makes the policy invalid, a warning does not. */
public enum Severity {
    ERROR,
    WARNING;

    /** The word printed in a diagnostic line: {@code error} or {@code warning}. */
    public String word() {
        return this == ERROR ? "error" : "warning";
    }
}
