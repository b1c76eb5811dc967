package dev.portcullis.monitoring;

import dev.portcullis.router.DataPlane;
import dev.portcullis.router.RefusalReason;
import dev.portcullis.router.RouterState;
import dev.portcullis.router.ServiceRuntime;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns limit refusals into {@link Notification.LimitHit} notifications by comparing the refusal counters with
 * their values at the previous look. Polling keeps the data plane's refusal path as it is (a counter increment):
 * a SYN flood against a limit costs nothing more, and at most one notification per service and reason comes out
 * of each look, before the rate limit.
 *
 * <p>Threading: {@link #look()} is called by one thread at a time (the monitoring timer).
 */
final class LimitWatch {

    /** The reasons that are limits being hit, rather than policy verdicts or failures. */
    static final Set<RefusalReason> LIMITS = EnumSet.of(RefusalReason.SERVICE_LIMIT,
            RefusalReason.SOURCE_CONNECTION_LIMIT, RefusalReason.SOURCE_RATE_LIMIT, RefusalReason.GLOBAL_LIMIT,
            RefusalReason.FLOW_TABLE_FULL);

    private final DataPlane plane;
    private final Notifications notifications;
    /** Counts at the previous look, by service name and reason ("" for the appliance-wide flow-table count). */
    private final Map<String, long[]> previous = new HashMap<>();

    LimitWatch(DataPlane plane, Notifications notifications) {
        this.plane = plane;
        this.notifications = notifications;
        look(false);
    }

    /** Publishes a notification for each service and limit with refusals since the previous look. */
    void look() {
        look(true);
    }

    private void look(boolean publish) {
        RouterState s = plane.state();
        if (s == null) {
            return;
        }
        for (ServiceRuntime rt : s.services().values()) {
            compare(rt.name(), reason -> rt.counters().refusals(reason), publish, true);
        }
        // A full UDP flow table refuses before any service is chosen: it is counted appliance-wide only.
        compare("", reason -> reason == RefusalReason.FLOW_TABLE_FULL ? plane.counters().refusals(reason) : 0,
                publish, false);
    }

    private void compare(String service, java.util.function.ToLongFunction<RefusalReason> count, boolean publish,
                         boolean perService) {
        long[] before = previous.get(service);
        boolean known = before != null; // a service new since the last look only sets its baseline
        if (!known) {
            before = new long[RefusalReason.values().length];
            previous.put(service, before);
        }
        for (RefusalReason r : LIMITS) {
            if (perService && r == RefusalReason.FLOW_TABLE_FULL) {
                continue;
            }
            long now = count.applyAsLong(r);
            long delta = now - before[r.ordinal()];
            before[r.ordinal()] = now;
            if (publish && known && delta > 0) { // delta is negative after "clear counters"
                notifications.limitHit(service, r, delta);
            }
        }
    }
}
