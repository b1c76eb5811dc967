package dev.portcullis.router;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code burst} stored; starts full. Lock-free and
 * allocation-free; the caller passes the time, so tests drive it with a fake clock.
 *
 * <p>How: the bucket is kept as one number, the "theoretical arrival time" of the generic cell rate algorithm
 * (ITU-T I.371): {@code tat = now + (burst - tokens) * interval}, where {@code interval = 1 s / rate}. Taking a
 * token moves {@code tat} forward by one interval from {@code max(tat, now)}; it is refused when that would put
 * {@code tat} more than {@code burst} intervals ahead of now. Invariant: {@code tat - now <= burst * interval}
 * after every successful take, and {@code tat <= now} exactly when the bucket is full. One long updated by a CAS
 * loop replaces a (tokens, last refill) pair that would need a lock. Times are compared by subtraction, so
 * {@link System#nanoTime()} may be negative or wrap.
 *
 * <p>Precision: the interval is whole nanoseconds, rounded; rates above 10^9 per second count as 10^9.
 */
public final class TokenBucket {

    private static final VarHandle TAT;

    static {
        try {
            TAT = MethodHandles.lookup().findVarHandle(TokenBucket.class, "tat", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long interval;
    private final long capacity;
    /** Updated by CAS from any thread. {@code NEVER} until the first take: a full bucket whatever the clock. */
    @SuppressWarnings("unused") // through TAT
    private volatile long tat = NEVER;
    private static final long NEVER = Long.MIN_VALUE;
    private static final long MAX_SPAN = 1L << 62;

    /**
     * @param ratePerSecond tokens added a second, positive and finite
     * @param burst the most tokens stored, at least 1
     */
    public TokenBucket(double ratePerSecond, int burst) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("token rate " + ratePerSecond + " must be positive and finite");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("token burst " + burst + " must be at least 1");
        }
        this.interval = Math.max(1L, Math.round(1e9 / ratePerSecond));
        // A full refill must span well under 2^62 ns (146 years) so that time differences never overflow.
        if (interval > MAX_SPAN / burst) {
            throw new IllegalArgumentException("token rate " + ratePerSecond + " with burst " + burst
                    + " takes more than 2^62 ns to refill");
        }
        this.capacity = interval * burst;
    }

    /** Takes a token if one is there at {@code nowNanos}; returns whether it did. */
    public boolean tryTake(long nowNanos) {
        while (true) {
            long t = (long) TAT.getVolatile(this);
            long start = t == NEVER || t - nowNanos < 0 ? nowNanos : t;
            long next = start + interval;
            if (next - nowNanos > capacity) {
                return false;
            }
            if (TAT.compareAndSet(this, t, next)) {
                return true;
            }
        }
    }

    /** Whether the bucket holds {@code burst} tokens at {@code nowNanos}, as if never used. */
    public boolean full(long nowNanos) {
        long t = (long) TAT.getVolatile(this);
        return t == NEVER || t - nowNanos <= 0;
    }

    /** The tokens held at {@code nowNanos}, whole and fractional; for tests and diagnostics. */
    public double available(long nowNanos) {
        long t = (long) TAT.getVolatile(this);
        long owed = t == NEVER || t - nowNanos < 0 ? 0 : t - nowNanos;
        return (double) (capacity - owed) / interval;
    }
}
