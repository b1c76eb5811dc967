package dev.portcullis.router;

import dev.portcullis.policy.HostPort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The checked endpoint arrays the selectors share: copied, free of nulls and duplicate addresses. */
final class EndpointArrays {

    private static final Endpoint[] NONE = new Endpoint[0];

    private EndpointArrays() {
    }

    static Endpoint[] copyChecked(List<Endpoint> endpoints) {
        Objects.requireNonNull(endpoints, "endpoints");
        Set<HostPort> seen = new HashSet<>();
        Endpoint[] copy = endpoints.toArray(NONE);
        for (Endpoint e : copy) {
            Objects.requireNonNull(e, "endpoint in " + endpoints);
            if (!seen.add(e.address())) {
                throw new IllegalArgumentException("endpoint " + e.address() + " is listed twice in " + endpoints);
            }
        }
        return copy;
    }

    /** The endpoints whose flag reads healthy now, in order. */
    static Endpoint[] healthy(Endpoint[] all) {
        List<Endpoint> up = new ArrayList<>(all.length);
        for (Endpoint e : all) {
            if (e.healthy()) {
                up.add(e);
            }
        }
        return up.toArray(NONE);
    }

    /** The first healthy endpoint at or after {@code start}, cyclically; null if none. O(n): for stale snapshots. */
    static Endpoint firstHealthy(Endpoint[] all, int start) {
        int n = all.length;
        for (int i = 0, j = start; i < n; i++, j = j + 1 == n ? 0 : j + 1) {
            if (all[j].healthy()) {
                return all[j];
            }
        }
        return null;
    }
}
