package dev.portcullis.router;

import java.util.concurrent.atomic.LongAdder;

/**
 * Hits of one rule, kept under the rule's name so that the count continues across commits while the name stays.
 *
 * <p>Threading: updated from every event loop; {@code lastHitMillis} is a plain volatile write of the latest hit
 * (a racing older value may win by a few microseconds, which a "last hit" display does not notice).
 */
public final class RuleCounter {

    private final String name;
    private final LongAdder hits = new LongAdder();
    private volatile long lastHitMillis;

    public RuleCounter(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void hit(long nowMillis) {
        hits.increment();
        lastHitMillis = nowMillis;
    }

    public long hits() {
        return hits.sum();
    }

    /** The wall-clock time of the latest hit in milliseconds since the epoch, or 0 if never hit. */
    public long lastHitMillis() {
        return lastHitMillis;
    }

    void reset() {
        hits.reset();
        lastHitMillis = 0;
    }
}
