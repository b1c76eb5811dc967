package dev.portcullis.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * How a service's endpoints are checked: a TCP connect every {@code interval}, failing after {@code timeout}; an
 * endpoint leaves the rotation after {@code fall} failures in a row and comes back after {@code rise} successes.
 */
public record HealthCheck(boolean enabled, Duration interval, Duration timeout, int rise, int fall) {

    /** Checks every 2 s with a 1 s timeout; up after 2 successes, down after 3 failures. */
    public static final HealthCheck DEFAULT = new HealthCheck(true, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);

    public HealthCheck {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("interval " + interval + " and timeout " + timeout
                    + " must be positive");
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise " + rise + " and fall " + fall + " must be at least 1");
        }
    }
}
