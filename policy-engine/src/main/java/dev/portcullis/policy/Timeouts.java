package dev.portcullis.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts of one service: how long connecting to an endpoint may take, and how long a connection (or UDP flow)
 * may stay silent in both directions before it is closed.
 */
public record Timeouts(Duration connect, Duration idle) {

    public static final Timeouts TCP_DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(5));
    public static final Timeouts UDP_DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30));

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(idle, "idle");
        if (connect.isNegative() || connect.isZero() || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive: connect " + connect + ", idle " + idle);
        }
    }
}
