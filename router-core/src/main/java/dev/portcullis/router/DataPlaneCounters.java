package dev.portcullis.router;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every counter the data plane keeps, in one place that monitoring and the console read: per rule hits and last
 * hit, per service connections, bytes and refusals, refusals by reason across services, and classifier lookups.
 * Per endpoint figures live on each {@link Endpoint}.
 *
 * <p>Rule and service counters are keyed by name and created on first use, so a counter continues across policy
 * commits while its rule or service keeps its name. Thread-safe.
 */
public final class DataPlaneCounters {

    private final Map<String, RuleCounter> rules = new ConcurrentHashMap<>();
    private final Map<String, ServiceCounters> services = new ConcurrentHashMap<>();
    private final RuleCounter defaultRule = new RuleCounter("default");
    private final LongAdder[] refusals = new LongAdder[RefusalReason.values().length];
    private final LongAdder lookups = new LongAdder();
    private final LongAdder decisionsLogged = new LongAdder();
    private final LongAdder decisionsSuppressed = new LongAdder();

    public DataPlaneCounters() {
        for (int i = 0; i < refusals.length; i++) {
            refusals[i] = new LongAdder();
        }
    }

    /** The counter of the rule named {@code name}, created at 0 if new. */
    public RuleCounter rule(String name) {
        return rules.computeIfAbsent(name, RuleCounter::new);
    }

    /** Hits of the policy's default action. */
    public RuleCounter defaultRule() {
        return defaultRule;
    }

    public ServiceCounters service(String name) {
        return services.computeIfAbsent(name, ServiceCounters::new);
    }

    public Map<String, RuleCounter> rules() {
        return Collections.unmodifiableMap(rules);
    }

    public Map<String, ServiceCounters> services() {
        return Collections.unmodifiableMap(services);
    }

    void refused(ServiceCounters service, RefusalReason reason) {
        refusals[reason.ordinal()].increment();
        if (service != null) {
            service.refused(reason);
        }
    }

    public long refusals(RefusalReason reason) {
        return refusals[reason.ordinal()].sum();
    }

    void lookedUp() {
        lookups.increment();
    }

    public long lookups() {
        return lookups.sum();
    }

    void decisionLogged(boolean written) {
        (written ? decisionsLogged : decisionsSuppressed).increment();
    }

    public long decisionsLogged() {
        return decisionsLogged.sum();
    }

    public long decisionsSuppressed() {
        return decisionsSuppressed.sum();
    }

    /** Clears totals and hit counts (active connection gauges stay true). For {@code clear counters}. */
    public void clear() {
        rules.values().forEach(RuleCounter::reset);
        defaultRule.reset();
        services.values().forEach(ServiceCounters::reset);
        for (LongAdder r : refusals) {
            r.reset();
        }
        lookups.reset();
        decisionsLogged.reset();
        decisionsSuppressed.reset();
    }
}
