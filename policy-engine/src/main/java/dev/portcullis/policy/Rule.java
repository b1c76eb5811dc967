package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One firewall rule, with every {@code $set} and {@code service:} reference resolved.
 *
 * <p>An empty list means "any" for that field. {@code serviceTargets} are the listeners of the services the
 * destination names; each matches its own address and, unless the rule lists {@code destinationPorts}, its own
 * port. A flow matches the rule when every field matches.
 *
 * @param number the rule's 1-based position in {@code rules}
 * @param protocol the IP protocol number, or empty for any protocol
 */
public record Rule(
        int number,
        String name,
        Location location,
        List<IpPrefix> sources,
        List<PortRange> sourcePorts,
        List<IpPrefix> destinations,
        List<HostPort> serviceTargets,
        List<PortRange> destinationPorts,
        OptionalInt protocol,
        Action action,
        boolean log,
        Optional<String> description) {

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(description, "description");
        sources = List.copyOf(sources);
        sourcePorts = List.copyOf(sourcePorts);
        destinations = List.copyOf(destinations);
        serviceTargets = List.copyOf(serviceTargets);
        destinationPorts = List.copyOf(destinationPorts);
        if (number < 1) {
            throw new IllegalArgumentException("rule number " + number + " is not 1-based");
        }
    }

    /** Whether the rule leaves the destination open (no address, CIDR, set or service listed). */
    public boolean anyDestination() {
        return destinations.isEmpty() && serviceTargets.isEmpty();
    }
}
