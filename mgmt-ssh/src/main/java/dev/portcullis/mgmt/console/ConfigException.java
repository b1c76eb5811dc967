package dev.portcullis.mgmt.console;

import java.util.List;

/**
 * A configuration command could not be done; the message says why in words for the operator, and
 * {@link #details()} holds further lines, such as every error of a failed policy check.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> details;

    public ConfigException(String message) {
        this(message, List.of());
    }

    public ConfigException(String message, List<String> details) {
        super(message);
        this.details = List.copyOf(details);
    }

    public List<String> details() {
        return details;
    }
}
