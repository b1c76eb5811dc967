package dev.portcullis.policy;

import java.util.List;

/** A named, reusable list from the policy's {@code sets}: either addresses or ports, never both. */
public sealed interface NamedSet {

    String name();

    Location location();

    /** A set of addresses and CIDR prefixes, nested sets already flattened. */
    record Addresses(String name, List<IpPrefix> prefixes, Location location) implements NamedSet {
        public Addresses {
            prefixes = List.copyOf(prefixes);
        }
    }

    /** A set of ports and port ranges, nested sets already flattened. */
    record Ports(String name, List<PortRange> ranges, Location location) implements NamedSet {
        public Ports {
            ranges = List.copyOf(ranges);
        }
    }
}
