package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.util.Objects;

/**
 * One box in the five-tuple space, the unit the classifier compiles: a source and a destination prefix of the same
 * family, a source and a destination port range, and an inclusive protocol range.
 *
 * <p>A policy rule whose fields list several values becomes several boxes with the same {@code priority}, the
 * rule's 0-based position in the policy. A lower priority number wins.
 */
public record ClassifierRule(
        int priority,
        IpPrefix source,
        IpPrefix destination,
        PortRange sourcePorts,
        PortRange destinationPorts,
        int protocolLo,
        int protocolHi) {

    public ClassifierRule {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(sourcePorts, "sourcePorts");
        Objects.requireNonNull(destinationPorts, "destinationPorts");
        if (priority < 0) {
            throw new IllegalArgumentException("priority " + priority + " is negative");
        }
        if (source.family() != destination.family()) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " are of different address families");
        }
        if (protocolLo < 0 || protocolHi > 255 || protocolLo > protocolHi) {
            throw new IllegalArgumentException("protocol range " + protocolLo + "-" + protocolHi
                    + " is not within 0-255 or is reversed");
        }
    }
}
