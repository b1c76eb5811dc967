package dev.portcullis.router;

import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One service at run time: its configuration, its endpoints with their live state, how they are chosen, its
 * limits, its health checker and its counters.
 *
 * <p>Immutable apart from the endpoints' own state; a policy reload builds a new runtime for a changed service and
 * reuses the {@link Endpoint} objects whose address stays, so health and connection counts carry over.
 */
public final class ServiceRuntime {

    private final Service service;
    private final List<Endpoint> endpoints;
    private final EndpointSelector selector;
    private final AdmissionLimits limits;
    private final ServiceCounters counters;
    /** Set once by the data plane after construction, before the runtime is published. */
    private HealthChecker healthChecker;

    ServiceRuntime(Service service, List<Endpoint> endpoints, AdmissionLimits limits, ServiceCounters counters) {
        this.service = service;
        this.endpoints = List.copyOf(endpoints);
        this.selector = EndpointSelector.of(service.balance(), this.endpoints);
        this.limits = limits;
        this.counters = counters;
    }

    /** The endpoints for {@code service}, reusing those of {@code previous} whose address stays. */
    static List<Endpoint> endpointsReusing(Service service, ServiceRuntime previous) {
        Map<HostPort, Endpoint> old = previous == null ? Map.of() : previous.endpointsByAddress();
        List<Endpoint> out = new ArrayList<>();
        for (HostPort hp : service.endpoints()) {
            Endpoint e = old.get(hp);
            out.add(e != null ? e : new Endpoint(hp));
        }
        return out;
    }

    private Map<HostPort, Endpoint> endpointsByAddress() {
        Map<HostPort, Endpoint> m = new java.util.HashMap<>();
        for (Endpoint e : endpoints) {
            m.put(e.address(), e);
        }
        return m;
    }

    public Service service() {
        return service;
    }

    public String name() {
        return service.name();
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public EndpointSelector selector() {
        return selector;
    }

    public AdmissionLimits limits() {
        return limits;
    }

    public ServiceCounters counters() {
        return counters;
    }

    HealthChecker healthChecker() {
        return healthChecker;
    }

    void healthChecker(HealthChecker checker) {
        this.healthChecker = checker;
    }
}
