package dev.portcullis.monitoring;

import dev.portcullis.policy.Rule;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneCounters;
import dev.portcullis.router.Endpoint;
import dev.portcullis.router.RefusalReason;
import dev.portcullis.router.RouterState;
import dev.portcullis.router.RuleCounter;
import dev.portcullis.router.ServiceCounters;
import dev.portcullis.router.ServiceRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers the appliance's counters as Micrometer meters: function counters and gauges that read the data
 * plane's and control plane's own counters when scraped, so nothing is counted twice and a connection costs the
 * data plane nothing more.
 *
 * <p>Per-rule, per-service and per-endpoint meters follow the running policy: {@link #sync()} registers those of
 * rules, services and endpoints the running snapshot has and removes those it no longer has. It compares the
 * snapshot by identity, so a call when nothing was reloaded costs one read. A rule's meters read the
 * {@link RuleCounter} kept under its name, so its count continues across reloads while the name stays; the same
 * holds for services. An endpoint's meters read its {@link Endpoint}, which a reload keeps while its service and
 * address stay.
 *
 * <p>Labels are bounded by the policy: {@code rule}, {@code service} and {@code endpoint} (an address:port of the
 * policy) and the fixed {@code reason}, {@code direction} and {@code kind}. No label carries a client address.
 *
 * <p>Threading: {@link #sync()} is synchronized; scrapes may run on any thread.
 */
final class PortcullisMeters {

    /** The direction label: {@code in} is from clients towards endpoints, {@code out} back to clients. */
    static final String IN = "in";
    static final String OUT = "out";

    private final MeterRegistry registry;
    private final DataPlane plane;

    /** Guarded by this. The snapshot the per-policy meters were last synced to. */
    private RouterState synced;
    /** Guarded by this. Meters by rule name, service name and service/endpoint key. */
    private final Map<String, Registered> rules = new HashMap<>();
    private final Map<String, Registered> services = new HashMap<>();
    private final Map<String, Registered> endpoints = new HashMap<>();

    /** The meters registered for one object, holding it strongly (Micrometer's function meters hold it weakly). */
    private record Registered(Object source, List<Meter> meters) {
    }

    PortcullisMeters(MeterRegistry registry, DataPlane plane, ControlPlaneMetrics controlPlane,
                     Notifications notifications) {
        this.registry = registry;
        this.plane = plane;
        registerFixed(plane.counters(), controlPlane, notifications);
        sync();
    }

    private void registerFixed(DataPlaneCounters c, ControlPlaneMetrics cp, Notifications n) {
        RuleCounter dflt = c.defaultRule();
        FunctionCounter.builder("portcullis.default.action.hits", dflt, RuleCounter::hits)
                .description("Connections and flows decided by the policy's default action").register(registry);
        Gauge.builder("portcullis.default.action.last.hit.timestamp", dflt, r -> r.lastHitMillis() / 1000.0)
                .baseUnit("seconds").description("When the default action last decided (0: never)")
                .strongReference(true).register(registry);
        for (RefusalReason r : RefusalReason.values()) {
            FunctionCounter.builder("portcullis.refusals", c, x -> x.refusals(r)).tag("reason", r.label())
                    .description("Connections and flows refused, by reason, across services (and those refused "
                            + "before any service was chosen)")
                    .register(registry);
        }
        FunctionCounter.builder("portcullis.classifier.lookups", c, DataPlaneCounters::lookups)
                .description("Policy classifier lookups (one per new connection or flow)").register(registry);
        FunctionCounter.builder("portcullis.decisions.logged", c, DataPlaneCounters::decisionsLogged)
                .description("Decision log lines written").register(registry);
        FunctionCounter.builder("portcullis.decisions.suppressed", c, DataPlaneCounters::decisionsSuppressed)
                .description("Decision log lines not written because of the rate limit").register(registry);
        Gauge.builder("portcullis.active.connections", plane, DataPlane::globalActive).strongReference(true)
                .description("Active connections and UDP flows, all services").register(registry);

        Gauge.builder("portcullis.policy.revision", cp, x -> x.policy().revision()).strongReference(true)
                .description("Revision of the running policy").register(registry);
        Gauge.builder("portcullis.policy.rules", cp, x -> x.policy().ruleCount()).strongReference(true)
                .description("Rules in the running policy").register(registry);
        Gauge.builder("portcullis.policy.last.commit.timestamp", cp,
                        x -> x.policy().committedAt().toEpochMilli() / 1000.0)
                .baseUnit("seconds").strongReference(true)
                .description("When the running policy was committed").register(registry);
        Gauge.builder("portcullis.ssh.active.sessions", cp, ControlPlaneMetrics::sshSessions)
                .strongReference(true).description("SSH console sessions open now").register(registry);
        FunctionCounter.builder("portcullis.ssh.sessions", cp, ControlPlaneMetrics::sshSessionsTotal)
                .description("SSH console sessions opened").register(registry);
        FunctionCounter.builder("portcullis.ssh.failed.logins", cp, ControlPlaneMetrics::failedLogins)
                .description("Failed SSH console logins").register(registry);

        for (Notification.Kind k : Notification.Kind.values()) {
            FunctionCounter.builder("portcullis.notifications", n, x -> x.sent(k)).tag("kind", k.label())
                    .description("Notifications sent").register(registry);
            FunctionCounter.builder("portcullis.notifications.suppressed", n, x -> x.suppressed(k))
                    .tag("kind", k.label()).description("Notifications not sent: over the rate limit")
                    .register(registry);
        }
    }

    /** Brings the per-rule, per-service and per-endpoint meters in line with the running snapshot. */
    synchronized void sync() {
        RouterState s = plane.state();
        if (s == null || s == synced) {
            return;
        }
        DataPlaneCounters c = plane.counters();
        Set<String> ruleNames = new HashSet<>();
        for (Rule r : s.policy().policy().rules()) {
            ruleNames.add(r.name());
            RuleCounter counter = c.rule(r.name());
            keep(rules, r.name(), counter, () -> ruleMeters(r.name(), counter));
        }
        drop(rules, ruleNames);

        Set<String> serviceNames = new HashSet<>();
        Set<String> endpointKeys = new HashSet<>();
        for (ServiceRuntime rt : s.services().values()) {
            serviceNames.add(rt.name());
            keep(services, rt.name(), rt.counters(), () -> serviceMeters(rt.name(), rt.counters()));
            for (Endpoint e : rt.endpoints()) {
                String key = rt.name() + " " + e.address();
                endpointKeys.add(key);
                keep(endpoints, key, e, () -> endpointMeters(rt.name(), e));
            }
        }
        drop(services, serviceNames);
        drop(endpoints, endpointKeys);
        synced = s;
    }

    /** Registers meters for {@code key} unless they are there already for the same source object. */
    private void keep(Map<String, Registered> map, String key, Object source,
                      java.util.function.Supplier<List<Meter>> make) {
        Registered r = map.get(key);
        if (r != null && r.source() == source) {
            return;
        }
        if (r != null) {
            r.meters().forEach(registry::remove);
        }
        map.put(key, new Registered(source, make.get()));
    }

    private void drop(Map<String, Registered> map, Set<String> live) {
        for (var it = map.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!live.contains(e.getKey())) {
                e.getValue().meters().forEach(registry::remove);
                it.remove();
            }
        }
    }

    private List<Meter> ruleMeters(String name, RuleCounter counter) {
        Tags t = Tags.of("rule", name);
        return List.of(
                FunctionCounter.builder("portcullis.rule.hits", counter, RuleCounter::hits).tags(t)
                        .description("Connections and flows the rule decided").register(registry),
                Gauge.builder("portcullis.rule.last.hit.timestamp", counter, r -> r.lastHitMillis() / 1000.0)
                        .tags(t).baseUnit("seconds").description("When the rule last decided (0: never)")
                        .register(registry));
    }

    private List<Meter> serviceMeters(String name, ServiceCounters c) {
        Tags t = Tags.of("service", name);
        List<Meter> out = new ArrayList<>();
        out.add(Gauge.builder("portcullis.service.active.connections", c, ServiceCounters::active).tags(t)
                .description("Active connections and UDP flows of the service").register(registry));
        out.add(FunctionCounter.builder("portcullis.service.connections", c, ServiceCounters::total).tags(t)
                .description("Connections and UDP flows the service admitted").register(registry));
        out.add(FunctionCounter.builder("portcullis.service", c, ServiceCounters::bytesIn).tags(t)
                .tag("direction", IN).baseUnit("bytes")
                .description("Bytes relayed: in = from clients to endpoints, out = back").register(registry));
        out.add(FunctionCounter.builder("portcullis.service", c, ServiceCounters::bytesOut).tags(t)
                .tag("direction", OUT).baseUnit("bytes")
                .description("Bytes relayed: in = from clients to endpoints, out = back").register(registry));
        for (RefusalReason r : RefusalReason.values()) {
            out.add(FunctionCounter.builder("portcullis.service.refusals", c, x -> x.refusals(r)).tags(t)
                    .tag("reason", r.label()).description("Connections and flows of the service refused, by reason")
                    .register(registry));
        }
        return out;
    }

    private List<Meter> endpointMeters(String service, Endpoint e) {
        Tags t = Tags.of("service", service, "endpoint", e.address().toString());
        return List.of(
                Gauge.builder("portcullis.endpoint.up", e, x -> x.healthy() ? 1 : 0).tags(t)
                        .description("1 while the endpoint passes its health checks, else 0").register(registry),
                Gauge.builder("portcullis.endpoint.active.connections", e, Endpoint::active).tags(t)
                        .description("Active connections and UDP flows to the endpoint").register(registry),
                FunctionCounter.builder("portcullis.endpoint.connections", e, Endpoint::total).tags(t)
                        .description("Connections and UDP flows opened to the endpoint").register(registry),
                FunctionCounter.builder("portcullis.endpoint", e, Endpoint::bytesToEndpoint).tags(t)
                        .tag("direction", IN).baseUnit("bytes")
                        .description("Bytes relayed: in = to the endpoint, out = from it").register(registry),
                FunctionCounter.builder("portcullis.endpoint", e, Endpoint::bytesFromEndpoint).tags(t)
                        .tag("direction", OUT).baseUnit("bytes")
                        .description("Bytes relayed: in = to the endpoint, out = from it").register(registry),
                FunctionCounter.builder("portcullis.endpoint.connect.failures", e, Endpoint::connectFailures)
                        .tags(t).description("Failed connects to the endpoint").register(registry));
    }
}
