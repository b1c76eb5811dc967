package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.ServiceLimits;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission of new connections (or UDP flows) to one service: its connection limit, its per-client-address
 * connection and rate limits, and the appliance's global limit. Every {@link #tryAdmit} that returns null must be
 * matched by exactly one {@link #release}.
 *
 * <pre>{@code
 * RefusalReason r = limits.tryAdmit(client, System.nanoTime());
 * if (r != null) { refuse(r); return; }
 * channel.closeFuture().addListener(f -> limits.release(client));
 * }</pre>
 *
 * <p>Order of checks: source connections, source rate, service, global; the first that fails is the reason, so an
 * abusive client is counted under its own limit. A refused attempt changes no active count, but one that passed
 * the rate check has spent its token: the rate limits attempts, not successes.
 *
 * <p>Per-source state: when the service has neither per-source limit (0 = none) no per-source work is done at all.
 * Otherwise each client address has an entry in a concurrent map, keyed by the {@link IpAddress} record itself (no
 * allocation per admission; a map bin with many colliding addresses becomes a tree ordered by address, so crafted
 * collisions cost O(log n)). An entry goes away when its address has no active connection and its token bucket is
 * full again, since it then holds nothing a fresh entry would not: at once in {@link #release} when it can,
 * otherwise in {@link #sweep}, which the owner must call every few seconds off the event loops (it walks the map).
 *
 * <p>Bound: the map holds at most {@code maxSources} addresses (1M by default, about 100 bytes each). A new address
 * past the bound is refused with {@link RefusalReason#SOURCE_CONNECTION_LIMIT}, counted in
 * {@link #sourceTableFullRefusals()} and logged at warn level at the 1st, 2nd, 4th, 8th ... time: failing closed
 * keeps per-source limits meaningful when too many addresses are active, at the price of refusing new clients.
 *
 * <p>How entries are removed without a lock: an entry is retired by a CAS of its active count from 0 to -1, and
 * only then removed from the map. An admission that finds a retired entry helps remove it and retries with a fresh
 * one. Invariant: an entry with active connections is never retired, so a release always finds the entry its
 * admission counted in.
 */
public final class AdmissionLimits {

    /** The default bound on tracked client addresses per service. */
    public static final int DEFAULT_MAX_SOURCES = 1_000_000;

    private static final Logger log = LoggerFactory.getLogger(AdmissionLimits.class);

    private final ServiceLimits limits;
    private final AtomicInteger globalActive;
    private final int globalMax;
    private final int maxSources;
    private final boolean perSource;
    private final int perSourceConnections;
    private final double rate;
    private final int burst;

    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentHashMap<IpAddress, Source> sources = new ConcurrentHashMap<>();
    /** Entries in {@link #sources}, kept apart because {@code size()} sums striped counters on every call. */
    private final AtomicInteger sourceCount = new AtomicInteger();
    private final AtomicLong sourceTableFull = new AtomicLong();

    /**
     * @param limits the service's limits; 0 means none
     * @param globalActive the appliance's count of active connections, shared by every service
     * @param globalMax the most active connections of the appliance; 0 means none
     */
    public AdmissionLimits(ServiceLimits limits, AtomicInteger globalActive, int globalMax) {
        this(limits, globalActive, globalMax, DEFAULT_MAX_SOURCES);
    }

    /**
     * @param maxSources the most client addresses tracked at once, at least 1
     * @see #AdmissionLimits(ServiceLimits, AtomicInteger, int)
     */
    public AdmissionLimits(ServiceLimits limits, AtomicInteger globalActive, int globalMax, int maxSources) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.globalActive = Objects.requireNonNull(globalActive, "globalActive");
        if (globalMax < 0) {
            throw new IllegalArgumentException("global connection limit " + globalMax + " must not be negative");
        }
        if (maxSources < 1) {
            throw new IllegalArgumentException("source table bound " + maxSources + " must be at least 1");
        }
        this.globalMax = globalMax;
        this.maxSources = maxSources;
        this.perSourceConnections = limits.perSourceConnections();
        this.rate = limits.perSourceRate();
        // A rate without a burst gets one second's worth; a burst without a rate limits nothing.
        this.burst = limits.perSourceBurst() > 0 ? limits.perSourceBurst() : (int) Math.max(1, Math.ceil(rate));
        this.perSource = perSourceConnections > 0 || rate > 0;
        if (rate > 0) {
            new TokenBucket(rate, burst); // fails now, naming the values, rather than at the first admission
        }
    }

    /**
     * Admits a connection from {@code client} and counts it, or returns why not without counting it.
     *
     * @param nowNanos {@link System#nanoTime()} now, or a test's clock
     * @return null when admitted; otherwise SOURCE_CONNECTION_LIMIT, SOURCE_RATE_LIMIT, SERVICE_LIMIT or GLOBAL_LIMIT
     */
    public RefusalReason tryAdmit(IpAddress client, long nowNanos) {
        Source s = null;
        if (perSource) {
            while (true) {
                s = sources.get(client);
                if (s == null) {
                    if (!reserveSource()) {
                        refusedTableFull(client);
                        return RefusalReason.SOURCE_CONNECTION_LIMIT;
                    }
                    Source fresh = new Source(rate > 0 ? new TokenBucket(rate, burst) : null);
                    s = sources.putIfAbsent(client, fresh);
                    if (s == null) {
                        s = fresh;
                    } else {
                        sourceCount.decrementAndGet();
                    }
                }
                int entered = s.tryEnter(perSourceConnections);
                if (entered == Source.ENTERED) {
                    break;
                }
                if (entered == Source.AT_LIMIT) {
                    return RefusalReason.SOURCE_CONNECTION_LIMIT;
                }
                remove(client, s); // retired by a release or a sweep: help, then retry with a fresh entry
            }
            if (s.bucket != null && !s.bucket.tryTake(nowNanos)) {
                leave(client, s, nowNanos);
                return RefusalReason.SOURCE_RATE_LIMIT;
            }
        }
        if (!tryIncrement(active, limits.maxConnections())) {
            if (s != null) {
                leave(client, s, nowNanos);
            }
            return RefusalReason.SERVICE_LIMIT;
        }
        if (!tryIncrement(globalActive, globalMax)) {
            active.decrementAndGet();
            if (s != null) {
                leave(client, s, nowNanos);
            }
            return RefusalReason.GLOBAL_LIMIT;
        }
        return null;
    }

    /** Undoes one admission of {@code client}, now. */
    public void release(IpAddress client) {
        release(client, System.nanoTime());
    }

    /**
     * Undoes one admission of {@code client}.
     *
     * @param nowNanos the same clock as {@link #tryAdmit}'s
     * @throws IllegalStateException if {@code client} has no admission to undo
     */
    public void release(IpAddress client, long nowNanos) {
        if (perSource) {
            Source s = sources.get(client);
            if (s == null || s.active() <= 0) {
                throw new IllegalStateException("release of " + client + " without an admission");
            }
            leave(client, s, nowNanos);
        }
        active.decrementAndGet();
        globalActive.decrementAndGet();
    }

    /**
     * Removes the entries of addresses with no active connection and a full bucket; returns how many. Walks the
     * whole map: call it every few seconds from a thread that is not an event loop.
     */
    public int sweep(long nowNanos) {
        int removed = 0;
        for (Map.Entry<IpAddress, Source> e : sources.entrySet()) {
            if (e.getValue().tryRetire(nowNanos) && remove(e.getKey(), e.getValue())) {
                removed++;
            }
        }
        return removed;
    }

    /** The service's active connections now. */
    public int active() {
        return active.get();
    }

    /** Client addresses tracked now. */
    public int sources() {
        return sourceCount.get();
    }

    /** New client addresses refused because {@code maxSources} addresses were tracked already. */
    public long sourceTableFullRefusals() {
        return sourceTableFull.get();
    }

    public ServiceLimits limits() {
        return limits;
    }

    private void leave(IpAddress client, Source s, long nowNanos) {
        if (s.leave() == 0 && s.tryRetire(nowNanos)) {
            remove(client, s);
        }
    }

    /** Removes a retired entry; exactly one caller succeeds and uncounts it. */
    private boolean remove(IpAddress client, Source s) {
        if (sources.remove(client, s)) {
            sourceCount.decrementAndGet();
            return true;
        }
        return false;
    }

    private boolean reserveSource() {
        while (true) {
            int c = sourceCount.get();
            if (c >= maxSources) {
                return false;
            }
            if (sourceCount.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    private void refusedTableFull(IpAddress client) {
        long n = sourceTableFull.incrementAndGet();
        if ((n & (n - 1)) == 0) {
            log.warn("tryAdmit: {} client addresses tracked, the bound; refused new address {} ({} refusals so far)",
                    maxSources, client, n);
        }
    }

    /** Increments {@code counter} unless it is at {@code max} (0 = no maximum). */
    private static boolean tryIncrement(AtomicInteger counter, int max) {
        if (max == 0) {
            counter.incrementAndGet();
            return true;
        }
        while (true) {
            int v = counter.get();
            if (v >= max) {
                return false;
            }
            if (counter.compareAndSet(v, v + 1)) {
                return true;
            }
        }
    }

    /** One client address: its active connections and its token bucket. */
    private static final class Source {
        static final int ENTERED = 0;
        static final int AT_LIMIT = 1;
        static final int RETIRED = 2;
        private static final VarHandle ACTIVE;

        static {
            try {
                ACTIVE = MethodHandles.lookup().findVarHandle(Source.class, "active", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Null without a rate limit. */
        final TokenBucket bucket;
        /** Active connections, or -1 once retired (final: never counted again). Updated by CAS from any thread. */
        @SuppressWarnings("unused") // through ACTIVE
        private volatile int active;

        Source(TokenBucket bucket) {
            this.bucket = bucket;
        }

        int active() {
            return active;
        }

        int tryEnter(int limit) {
            while (true) {
                int a = active;
                if (a < 0) {
                    return RETIRED;
                }
                if (limit > 0 && a >= limit) {
                    return AT_LIMIT;
                }
                if (ACTIVE.compareAndSet(this, a, a + 1)) {
                    return ENTERED;
                }
            }
        }

        int leave() {
            return (int) ACTIVE.getAndAdd(this, -1) - 1;
        }

        /** Retires the entry if it has no active connection and a full bucket. */
        boolean tryRetire(long nowNanos) {
            return active == 0 && (bucket == null || bucket.full(nowNanos)) && ACTIVE.compareAndSet(this, 0, -1);
        }
    }
}
