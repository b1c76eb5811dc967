package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;

/**
 * The cluster behind the edge: its pod network, its service (ClusterIP) ranges, which are never reachable from
 * outside, and its nodes.
 */
public record Cluster(String name, List<IpPrefix> podCidrs, List<IpPrefix> serviceCidrs, List<ClusterNode> nodes) {

    public Cluster {
        Objects.requireNonNull(name, "name");
        podCidrs = List.copyOf(podCidrs);
        serviceCidrs = List.copyOf(serviceCidrs);
        nodes = List.copyOf(nodes);
    }
}
