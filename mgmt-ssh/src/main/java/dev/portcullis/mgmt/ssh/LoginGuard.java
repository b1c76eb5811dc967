package dev.portcullis.mgmt.ssh;

import dev.portcullis.policy.ApplianceConfig.Lockout;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failed logins per source address and says what a source's next attempt costs: nothing, a delay, or
 * refusal while it is locked out.
 *
 * <p>Failures are counted from the first one for {@code window}; then the count starts afresh. From the {@code delayAfter}-th failure, answers wait {@code delay}, doubled for each
 * further failure up to 16 times {@code delay}; at {@code lockAfter} failures the source is locked out for
 * {@code duration}, and its connections are refused; after the lockout the count starts afresh. A successful login
 * clears the source.
 *
 * <p>Thread-safe: entries are replaced atomically per source. Memory: one small entry per source that failed
 * within the window; {@link #sweep} drops the rest.
 */
public final class LoginGuard {

    private final Lockout settings;
    private final LongSupplier nanoClock;
    private final Map<String, Entry> sources = new ConcurrentHashMap<>();

    /**
     * Failures counted for one source since {@code firstNanos}, the latest at {@code lastNanos}; locked until
     * {@code lockedUntilNanos} if that is not 0.
     */
    private record Entry(int failures, long firstNanos, long lastNanos, long lockedUntilNanos) {
    }

    public LoginGuard(Lockout settings) {
        this(settings, System::nanoTime);
    }

    /** With a clock, for tests. */
    LoginGuard(Lockout settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
    }

    /** Records a failed login from {@code source}; returns true when this failure locks it out. */
    public boolean failed(String source) {
        long now = nanoClock.getAsLong();
        Entry e = sources.compute(source, (k, old) -> {
            if (old == null || expired(old, now)) {
                return new Entry(1, now, now, settings.lockAfter() <= 1 ? now + settings.duration().toNanos() : 0);
            }
            int n = old.failures + 1;
            long locked = old.lockedUntilNanos != 0 ? old.lockedUntilNanos
                    : n >= settings.lockAfter() ? now + settings.duration().toNanos() : 0;
            // A failure while locked (a connection that got in before the lock) does not extend it.
            return new Entry(n, old.firstNanos, now, locked);
        });
        return e.failures == settings.lockAfter();
    }

    /** Forgets {@code source}'s failures after a successful login. */
    public void succeeded(String source) {
        sources.remove(source);
    }

    /** How long {@code source} is still locked out; zero when it is not. */
    public Duration lockedFor(String source) {
        Entry e = sources.get(source);
        long now = nanoClock.getAsLong();
        if (e == null || e.lockedUntilNanos == 0 || now - e.lockedUntilNanos >= 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(e.lockedUntilNanos - now);
    }

    /** How long an answer to {@code source} waits now; zero below {@code delayAfter} failures. */
    public Duration delay(String source) {
        Entry e = sources.get(source);
        if (e == null || expired(e, nanoClock.getAsLong()) || e.failures < settings.delayAfter()) {
            return Duration.ZERO;
        }
        int doublings = Math.min(4, e.failures - settings.delayAfter());
        return settings.delay().multipliedBy(1L << doublings);
    }

    /**
     * How long {@code source} must still wait before its next connection is served: its current {@link #delay}
     * after its latest failure. A connection that comes sooner is refused, so a source that keeps failing can try
     * at most once per delay.
     */
    public Duration waitBeforeNext(String source) {
        Entry e = sources.get(source);
        Duration d = delay(source);
        if (e == null || d.isZero()) {
            return Duration.ZERO;
        }
        long left = e.lastNanos + d.toNanos() - nanoClock.getAsLong();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** Failures counted now for {@code source}. */
    public int failures(String source) {
        Entry e = sources.get(source);
        return e == null || expired(e, nanoClock.getAsLong()) ? 0 : e.failures;
    }

    /** Drops entries whose window and lockout have both passed. */
    public void sweep() {
        long now = nanoClock.getAsLong();
        sources.values().removeIf(e -> expired(e, now));
    }

    /** A locked entry ends with its lockout (counting starts afresh); an unlocked one with its window. */
    private boolean expired(Entry e, long now) {
        return e.lockedUntilNanos != 0 ? now - e.lockedUntilNanos >= 0
                : now - e.firstNanos >= settings.window().toNanos();
    }
}
