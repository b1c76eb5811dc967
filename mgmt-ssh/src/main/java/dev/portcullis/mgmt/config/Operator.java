package dev.portcullis.mgmt.config;

import java.util.Objects;

/**
 * Who does something to the configuration: a user name, and where they came from (an SSH client's address and
 * port, or {@code local} for the appliance itself). Recorded with every revision.
 */
public record Operator(String name, String source) {

    /** The appliance itself: imports at first start, automatic rollbacks. */
    public static final Operator SYSTEM = new Operator("system", "local");

    public Operator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        if (name.isBlank() || name.length() > 64 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("operator name '" + name
                    + "' must be 1-64 characters without control characters");
        }
        if (source.length() > 256 || source.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("operator source must be at most 256 characters without control "
                    + "characters");
        }
    }

    @Override
    public String toString() {
        return name + " from " + source;
    }
}
