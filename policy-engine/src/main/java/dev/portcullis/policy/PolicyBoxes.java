package dev.portcullis.policy;

import dev.portcullis.policy.classifier.ClassifierRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands a {@link Rule} into the boxes the classifier compiles: the cross product of its sources, source ports,
 * destinations (each with its ports) and protocol, pairing only addresses of the same family.
 *
 * <p>"Any" address becomes {@code 0.0.0.0/0} and {@code ::/0} as needed: a rule with no source and no destination
 * yields boxes of both families; a rule that names IPv4 sources yields only IPv4 boxes. A {@code service:}
 * target is its listener's host prefix with its own port, unless the rule lists destination ports.
 */
public final class PolicyBoxes {

    private PolicyBoxes() {
    }

    /** A destination address with the port ranges that go with it. */
    private record Destination(IpPrefix prefix, List<PortRange> ports) {
    }

    /** The boxes of {@code rule}, each with priority {@code rule.number() - 1}. */
    public static List<ClassifierRule> expand(Rule rule) {
        int priority = rule.number() - 1;
        List<PortRange> dports = rule.destinationPorts().isEmpty() ? List.of(PortRange.ANY) : rule.destinationPorts();
        List<PortRange> sports = rule.sourcePorts().isEmpty() ? List.of(PortRange.ANY) : rule.sourcePorts();
        List<Destination> destinations = new ArrayList<>();
        if (rule.anyDestination()) {
            destinations.add(new Destination(IpPrefix.any(IpFamily.V4), dports));
            destinations.add(new Destination(IpPrefix.any(IpFamily.V6), dports));
        } else {
            for (IpPrefix p : rule.destinations()) {
                destinations.add(new Destination(p, dports));
            }
            for (HostPort t : rule.serviceTargets()) {
                destinations.add(new Destination(IpPrefix.host(t.address()),
                        rule.destinationPorts().isEmpty() ? List.of(PortRange.of(t.port())) : dports));
            }
        }
        int protoLo = rule.protocol().isPresent() ? rule.protocol().getAsInt() : 0;
        int protoHi = rule.protocol().isPresent() ? rule.protocol().getAsInt() : 255;
        List<ClassifierRule> out = new ArrayList<>();
        for (Destination d : destinations) {
            List<IpPrefix> sources = rule.sources().isEmpty() ? List.of(IpPrefix.any(d.prefix().family()))
                    : rule.sources();
            for (IpPrefix s : sources) {
                if (s.family() != d.prefix().family()) {
                    continue;
                }
                for (PortRange sp : sports) {
                    for (PortRange dp : d.ports()) {
                        out.add(new ClassifierRule(priority, s, d.prefix(), sp, dp, protoLo, protoHi));
                    }
                }
            }
        }
        return out;
    }

    /** Whether box {@code outer} contains every five-tuple of box {@code inner}. */
    static boolean contains(ClassifierRule outer, ClassifierRule inner) {
        return outer.source().contains(inner.source())
                && outer.destination().contains(inner.destination())
                && outer.sourcePorts().contains(inner.sourcePorts())
                && outer.destinationPorts().contains(inner.destinationPorts())
                && outer.protocolLo() <= inner.protocolLo() && inner.protocolHi() <= outer.protocolHi();
    }
}
