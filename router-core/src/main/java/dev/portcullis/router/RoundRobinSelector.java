package dev.portcullis.router;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each healthy endpoint in turn.
 *
 * <p>How: a shared counter indexes a snapshot of the healthy endpoints, rebuilt by {@link #healthChanged()}. Turning
 * over the healthy snapshot, not the full list, keeps shares equal when some are down (skipping over the full list
 * would give the successor of a down endpoint a double share). Invariant: {@code select} returns an endpoint whose
 * flag read healthy; if the snapshot is stale (a flip whose {@code healthChanged} has not run yet) it skips the
 * down ones, and scans the full list, O(n), only when the snapshot has none left.
 */
public final class RoundRobinSelector implements EndpointSelector {

    private final Endpoint[] all;
    private final List<Endpoint> list;
    /** Shared by every event loop: one contended atomic per selection, the price of a strict turn. */
    private final AtomicInteger next = new AtomicInteger();
    /** The healthy endpoints; replaced whole by {@link #healthChanged()}, read once per selection. */
    private volatile Endpoint[] live;

    RoundRobinSelector(List<Endpoint> endpoints) {
        this.all = EndpointArrays.copyChecked(endpoints);
        this.list = List.of(all);
        this.live = EndpointArrays.healthy(all);
    }

    @Override
    public Endpoint select(long clientHash) {
        Endpoint[] up = live;
        int n = up.length;
        int turn = next.getAndIncrement();
        if (n > 0) {
            Endpoint e = EndpointArrays.firstHealthy(up, Integer.remainderUnsigned(turn, n));
            if (e != null) {
                return e;
            }
        }
        return all.length == 0 ? null : EndpointArrays.firstHealthy(all, Integer.remainderUnsigned(turn, all.length));
    }

    @Override
    public List<Endpoint> endpoints() {
        return list;
    }

    @Override
    public synchronized void healthChanged() {
        // Serialized so that the last snapshot published reads the flags after every flip reported so far.
        live = EndpointArrays.healthy(all);
    }
}
