package dev.portcullis.policy;

import java.util.Objects;

/** A Kubernetes node: its name, the address the edge reaches it by, and the /24 (or other) podCIDR it owns. */
public record ClusterNode(String name, IpAddress address, IpPrefix podCidr, Location location) {

    public ClusterNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(podCidr, "podCidr");
        Objects.requireNonNull(location, "location");
    }
}
