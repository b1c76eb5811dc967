package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks that compare parts of a policy with each other: the cluster's ranges, its nodes, the services' listeners
 * and endpoints, and rule destinations against the service (ClusterIP) ranges.
 *
 * <p>The invariant these protect: every endpoint is a pod address on a known node, and no address the edge would
 * listen on or connect to lies inside a service CIDR.
 */
final class PolicyChecks {

    private final Diagnostics diagnostics;

    PolicyChecks(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    void check(List<Located<IpPrefix>> podCidrs, List<Located<IpPrefix>> serviceCidrs,
               List<Located<ClusterNode>> nodes, List<Located<HostPort>> listeners,
               List<Located<HostPort>> endpoints, List<Located<IpPrefix>> ruleDestinations) {
        checkClusterRanges(podCidrs, serviceCidrs);
        checkNodes(podCidrs, serviceCidrs, nodes);
        for (Located<HostPort> l : listeners) {
            IpAddress a = l.value().address();
            inServiceCidr(a, serviceCidrs).ifPresent(s -> diagnostics.error(l.location(), "listener "
                    + l.value() + " lies inside the service CIDR " + s.value()
                    + ": ClusterIP addresses are never exposed at the edge"));
            if (inside(a, podCidrs) != null) {
                diagnostics.warning(l.location(), "listener " + l.value() + " lies inside the cluster podCIDR",
                        "listeners are the edge's own outside addresses");
            }
        }
        for (Located<HostPort> e : endpoints) {
            checkEndpoint(e, podCidrs, serviceCidrs, nodes);
        }
        for (Located<IpPrefix> d : ruleDestinations) {
            for (Located<IpPrefix> s : serviceCidrs) {
                if (s.value().contains(d.value())) {
                    diagnostics.warning(d.location(), "destination " + d.value() + " lies inside the service CIDR "
                            + s.value() + ": the edge never forwards to ClusterIP addresses, so this can only "
                            + "match traffic that is refused anyway");
                }
            }
        }
    }

    private void checkClusterRanges(List<Located<IpPrefix>> podCidrs, List<Located<IpPrefix>> serviceCidrs) {
        for (Located<IpPrefix> p : podCidrs) {
            for (Located<IpPrefix> s : serviceCidrs) {
                if (p.value().overlaps(s.value())) {
                    diagnostics.error(s.location(), "service CIDR " + s.value() + " overlaps the podCIDR "
                            + p.value() + " (line " + p.location().line() + ")");
                }
            }
        }
        overlapsWithin(podCidrs, "cluster podCIDR");
        overlapsWithin(serviceCidrs, "service CIDR");
    }

    private void overlapsWithin(List<Located<IpPrefix>> list, String what) {
        for (int i = 0; i < list.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (list.get(i).value().overlaps(list.get(j).value())) {
                    diagnostics.error(list.get(i).location(), what + " " + list.get(i).value() + " overlaps "
                            + list.get(j).value() + " (line " + list.get(j).location().line() + ")");
                }
            }
        }
    }

    private void checkNodes(List<Located<IpPrefix>> podCidrs, List<Located<IpPrefix>> serviceCidrs,
                            List<Located<ClusterNode>> nodes) {
        for (Located<ClusterNode> n : nodes) {
            IpPrefix pod = n.value().podCidr();
            boolean within = podCidrs.stream().anyMatch(c -> c.value().contains(pod));
            if (!within && !podCidrs.isEmpty()) {
                diagnostics.error(n.location(), "node '" + n.value().name() + "' podCIDR " + pod
                        + " is outside the cluster podCIDR " + podCidrs.stream().map(c -> c.value().toString())
                        .toList());
            }
            inServiceCidr(n.value().address(), serviceCidrs).ifPresent(s -> diagnostics.error(n.value().location(),
                    "node '" + n.value().name() + "' address " + n.value().address()
                            + " lies inside the service CIDR " + s.value()));
        }
        // Overlap among node podCIDRs: sort by family and first address, then each only needs its neighbour
        // checked, since prefixes either nest or are disjoint.
        List<Located<ClusterNode>> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparing((Located<ClusterNode> n) -> n.value().podCidr().first())
                .thenComparingInt(n -> n.value().podCidr().length()));
        for (int i = 1; i < sorted.size(); i++) {
            Located<ClusterNode> a = sorted.get(i - 1);
            Located<ClusterNode> b = sorted.get(i);
            if (a.value().podCidr().overlaps(b.value().podCidr())) {
                Located<ClusterNode> later = a.location().line() > b.location().line() ? a : b;
                Located<ClusterNode> earlier = later == a ? b : a;
                diagnostics.error(later.location(), "node '" + later.value().name() + "' podCIDR "
                        + later.value().podCidr() + " overlaps node '" + earlier.value().name() + "' podCIDR "
                        + earlier.value().podCidr() + " (line " + earlier.location().line() + ")");
            }
        }
    }

    private void checkEndpoint(Located<HostPort> e, List<Located<IpPrefix>> podCidrs,
                               List<Located<IpPrefix>> serviceCidrs, List<Located<ClusterNode>> nodes) {
        IpAddress a = e.value().address();
        var svc = inServiceCidr(a, serviceCidrs);
        if (svc.isPresent()) {
            diagnostics.error(e.location(), "endpoint " + e.value() + " lies inside the service CIDR "
                    + svc.get().value() + ": the edge connects to pod addresses, never to ClusterIPs",
                    "list the pods behind the service as endpoints");
            return;
        }
        if (nodes.isEmpty()) {
            if (inside(a, podCidrs) == null) {
                diagnostics.error(e.location(), "endpoint " + e.value() + " is outside the cluster podCIDR");
            }
            return;
        }
        boolean onNode = nodes.stream().anyMatch(n -> n.value().podCidr().contains(a));
        if (!onNode) {
            diagnostics.error(e.location(), "endpoint " + e.value() + " is outside every node's podCIDR",
                    "endpoints are pod addresses; add the node that owns it under cluster.nodes");
        }
    }

    private static IpPrefix inside(IpAddress a, List<Located<IpPrefix>> prefixes) {
        for (Located<IpPrefix> p : prefixes) {
            if (p.value().contains(a)) {
                return p.value();
            }
        }
        return null;
    }

    private static java.util.Optional<Located<IpPrefix>> inServiceCidr(IpAddress a,
                                                                       List<Located<IpPrefix>> serviceCidrs) {
        return serviceCidrs.stream().filter(s -> s.value().contains(a)).findFirst();
    }
}
