package dev.portcullis.router;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The healthy endpoint with the fewest active connections; among equals, each in turn.
 *
 * <p>How: every selection scans all endpoints, O(n), starting at a rotating index and keeping the first strict
 * minimum, so endpoints with equal counts take turns instead of the first one taking every tie. The counts are read
 * without a lock: two loops selecting at once may both pick the same endpoint, which the next selection evens out.
 */
public final class LeastConnectionsSelector implements EndpointSelector {

    private final Endpoint[] all;
    private final List<Endpoint> list;
    /** Shared by every event loop: where the next scan starts. */
    private final AtomicInteger start = new AtomicInteger();

    LeastConnectionsSelector(List<Endpoint> endpoints) {
        this.all = EndpointArrays.copyChecked(endpoints);
        this.list = List.of(all);
    }

    @Override
    public Endpoint select(long clientHash) {
        int n = all.length;
        if (n == 0) {
            return null;
        }
        Endpoint best = null;
        int bestActive = Integer.MAX_VALUE;
        int j = Integer.remainderUnsigned(start.getAndIncrement(), n);
        for (int i = 0; i < n; i++, j = j + 1 == n ? 0 : j + 1) {
            Endpoint e = all[j];
            if (e.healthy()) {
                int a = e.active();
                if (best == null || a < bestActive) {
                    best = e;
                    bestActive = a;
                }
            }
        }
        return best;
    }

    @Override
    public List<Endpoint> endpoints() {
        return list;
    }

    /** Nothing to rebuild: every selection reads the flags. */
    @Override
    public void healthChanged() {
    }
}
