package dev.portcullis.policy;

import java.util.Objects;

/**
 * The five-tuple of a connection or flow as the policy sees it. Flows without ports (ICMP and others) have port 0.
 * For explaining and testing; the data plane's hot path calls {@link CompiledPolicy#matchV4} with primitives.
 */
public record FlowKey(IpAddress source, IpAddress destination, int sourcePort, int destinationPort, int protocol) {

    public FlowKey {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (source.family() != destination.family()) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " are of different address families");
        }
        if (sourcePort < 0 || sourcePort > 65535 || destinationPort < 0 || destinationPort > 65535) {
            throw new IllegalArgumentException("ports " + sourcePort + ", " + destinationPort
                    + " must be within 0-65535");
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol " + protocol + " is outside 0-255");
        }
    }

    @Override
    public String toString() {
        return IpProtocols.name(protocol) + " " + new HostPortText(source, sourcePort) + " -> "
                + new HostPortText(destination, destinationPort);
    }

    /** Formats an address and a port, 0 allowed, brackets for IPv6. */
    private record HostPortText(IpAddress address, int port) {
        @Override
        public String toString() {
            return address.family() == IpFamily.V6 ? "[" + address + "]:" + port : address + ":" + port;
        }
    }
}
