package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;

/**
 * What the edge exposes: listeners on the outside, and the pod endpoints admitted traffic goes to, with how it is
 * balanced, checked, limited and timed out.
 *
 * @param proxyProtocol whether a PROXY protocol v2 header goes to the endpoint first, so pods see the real client
 */
public record Service(String name, List<HostPort> listen, Transport protocol, List<HostPort> endpoints,
                      Balance balance, HealthCheck healthCheck, ServiceLimits limits, Timeouts timeouts,
                      boolean proxyProtocol, Location location) {

    public Service {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(location, "location");
        listen = List.copyOf(listen);
        endpoints = List.copyOf(endpoints);
    }

    /** A service with default balancing (round-robin), health checks, no limits and default timeouts. */
    public static Service of(String name, List<HostPort> listen, Transport protocol, List<HostPort> endpoints,
                             Location location) {
        return new Service(name, listen, protocol, endpoints, Balance.ROUND_ROBIN, HealthCheck.DEFAULT,
                ServiceLimits.NONE, protocol == Transport.TCP ? Timeouts.TCP_DEFAULT : Timeouts.UDP_DEFAULT, false,
                location);
    }
}
