package dev.portcullis.mgmt.console;

import dev.portcullis.router.ClusterRoutes;
import dev.portcullis.router.ConnectionInfo;
import dev.portcullis.router.DataPlaneCounters;
import dev.portcullis.router.ListenerKey;
import dev.portcullis.router.RouterState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the operational commands read and clear on the running appliance: the data plane's snapshot, counters and
 * connections, and the cluster routes. {@link DataPlaneView} implements it over a real
 * {@link dev.portcullis.router.DataPlane}.
 *
 * <p>Threading: called from every console session at once; implementations are thread-safe.
 */
public interface ApplianceView {

    /** The software version, as {@code portcullis --version} prints it. */
    String version();

    /** The node name from appliance.yaml. */
    String node();

    /** When the appliance started. */
    Instant started();

    /** The data plane's current snapshot: policy, services with their endpoints, rule counters. */
    RouterState state();

    DataPlaneCounters counters();

    /** The Netty transport name (epoll or nio). */
    String transport();

    List<ListenerKey> listeners();

    /** Active connections and UDP flows counted against the global limit. */
    int globalActive();

    List<ConnectionInfo> connections();

    /** Closes the connections of one service, or all; returns how many. */
    int closeConnections(Optional<String> service);

    /** The latest sync of the cluster routes, or empty when the appliance does not manage routes. */
    Optional<List<ClusterRoutes.RouteStatus>> routes();

    /** The decision log file (JSON lines of rules with {@code log: true}). */
    Path decisionLog();

    /** {@code show metrics}: a short summary of what the Prometheus endpoint exports, or why there is none. */
    default String metrics() {
        return "monitoring is not running in this appliance\n";
    }

    /** {@code show snmp}: the SNMP agent's state and figures, or why there is none. */
    default String snmp() {
        return "monitoring is not running in this appliance\n";
    }
}
