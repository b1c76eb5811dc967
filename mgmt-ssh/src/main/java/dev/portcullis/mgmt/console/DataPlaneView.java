package dev.portcullis.mgmt.console;

import dev.portcullis.router.ClusterRoutes;
import dev.portcullis.router.ConnectionInfo;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneCounters;
import dev.portcullis.router.ListenerKey;
import dev.portcullis.router.RouterState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link ApplianceView} of a running appliance: its {@link DataPlane} and, when it manages them, its cluster
 * routes. Holds no state of its own.
 */
public final class DataPlaneView implements ApplianceView {

    private final DataPlane plane;
    private final Optional<ClusterRoutes> routes;
    private final String node;
    private final String version;
    private final Path decisionLog;
    private final Instant started = Instant.now();
    /** Summaries from monitoring, when it runs; set once at start, before the console serves anyone. */
    private volatile java.util.function.Supplier<String> metrics;
    private volatile java.util.function.Supplier<String> snmp;

    public DataPlaneView(DataPlane plane, Optional<ClusterRoutes> routes, String node, String version,
                         Path decisionLog) {
        this.plane = Objects.requireNonNull(plane, "plane");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.node = Objects.requireNonNull(node, "node");
        this.version = Objects.requireNonNull(version, "version");
        this.decisionLog = Objects.requireNonNull(decisionLog, "decisionLog");
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public Instant started() {
        return started;
    }

    @Override
    public RouterState state() {
        return plane.state();
    }

    @Override
    public DataPlaneCounters counters() {
        return plane.counters();
    }

    @Override
    public String transport() {
        return plane.transport().name();
    }

    @Override
    public List<ListenerKey> listeners() {
        return plane.listeners();
    }

    @Override
    public int globalActive() {
        return plane.globalActive();
    }

    @Override
    public List<ConnectionInfo> connections() {
        return plane.connections();
    }

    @Override
    public int closeConnections(Optional<String> service) {
        return plane.closeConnections(service);
    }

    @Override
    public Optional<List<ClusterRoutes.RouteStatus>> routes() {
        // ClusterRoutes is synced by the appliance's control thread; status() returns an immutable list.
        return routes.map(ClusterRoutes::status);
    }

    @Override
    public Path decisionLog() {
        return decisionLog;
    }

    /** Connects {@code show metrics} and {@code show snmp} to monitoring's summaries. */
    public DataPlaneView withMonitoring(java.util.function.Supplier<String> metricsSummary,
                                        java.util.function.Supplier<String> snmpSummary) {
        this.metrics = Objects.requireNonNull(metricsSummary, "metricsSummary");
        this.snmp = Objects.requireNonNull(snmpSummary, "snmpSummary");
        return this;
    }

    @Override
    public String metrics() {
        java.util.function.Supplier<String> m = metrics;
        return m == null ? ApplianceView.super.metrics() : m.get();
    }

    @Override
    public String snmp() {
        java.util.function.Supplier<String> s = snmp;
        return s == null ? ApplianceView.super.snmp() : s.get();
    }
}
