package dev.portcullis.appliance;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.Diagnostic;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.monitoring.ControlPlaneMetrics;
import dev.portcullis.monitoring.Monitoring;
import dev.portcullis.monitoring.MonitoringException;
import dev.portcullis.router.ClusterRoutes;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneException;
import dev.portcullis.router.DataPlaneSettings;
import dev.portcullis.router.ReloadReport;
import dev.portcullis.router.NettyTransport;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance: the data plane on the configured policy, the cluster routes, monitoring (Prometheus,
 * SNMP, notifications), and reloads.
 *
 * <p>Threading: {@link #reload} and {@link #stop} are synchronized; they come from the signal handler thread and
 * the shutdown hook.
 */
final class Appliance {

    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);
    /** The author recorded for a policy re-read from its file (SIGHUP). */
    static final String RELOAD_AUTHOR = "file reload";

    private final ApplianceConfig config;
    private final DataPlane plane;
    private final Optional<ClusterRoutes> routes;
    private final Monitoring monitoring;
    private boolean stopped;

    private Appliance(ApplianceConfig config, DataPlane plane, Optional<ClusterRoutes> routes,
                      Monitoring monitoring) {
        this.config = config;
        this.plane = plane;
        this.routes = routes;
        this.monitoring = monitoring;
    }

    /** Thrown when the appliance cannot start: the message says why, and nothing is left running. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static Appliance start(ApplianceConfig config) throws StartFailure {
        CompiledPolicy policy = loadPolicy(config).orElseThrow(
                () -> new StartFailure(config.policy() + ": invalid policy; the appliance did not start", null));
        ApplianceConfig.DataPlane dp = config.dataPlane();
        DataPlaneSettings settings = new DataPlaneSettings(dp.ioThreads(), dp.maxConnections(),
                dp.maxUdpFlowsPerListener(), dp.closeDeniedOnReload(), config.logging().decisionsPerSecond(),
                dp.drainTimeout());
        DataPlane plane;
        try {
            plane = DataPlane.start(NettyTransport.best(), settings, policy);
        } catch (DataPlaneException e) {
            throw new StartFailure(e.getMessage(), e);
        }
        Monitoring monitoring;
        try {
            // The SNMP engine's boots count is kept in the state directory, beside the configuration store.
            monitoring = Monitoring.start(config, plane, Version.current(), config.state().directory());
        } catch (MonitoringException e) {
            plane.close();
            throw new StartFailure(e.getMessage(), e);
        }
        monitoring.controlPlane().policyCommitted(revision(plane, policy, "start"));
        Optional<ClusterRoutes> routes = Optional.empty();
        if (config.routes().manage()) {
            ClusterRoutes r = new ClusterRoutes(config.routes().protocol(), ClusterRoutes.CommandRunner.processes());
            r.sync(policy.policy().cluster().nodes()).forEach(s -> LOG.info("start: route {}", s));
            routes = Optional.of(r);
        }
        LOG.info("start: node {} serving policy {} ({} rules, {} services) on {}", config.node(), config.policy(),
                policy.policy().rules().size(), policy.policy().services().size(), plane.listeners());
        return new Appliance(config, plane, routes, monitoring);
    }

    /** The running policy's figures for monitoring: the data plane's revision (one per policy applied). */
    private static ControlPlaneMetrics.PolicyRevision revision(DataPlane plane, CompiledPolicy policy, String author) {
        return new ControlPlaneMetrics.PolicyRevision(plane.state().revision(), policy.policy().rules().size(),
                Instant.now(), author);
    }

    /** Reads and checks the policy file, logging every diagnostic; empty when it is invalid or unreadable. */
    static Optional<CompiledPolicy> loadPolicy(ApplianceConfig config) {
        PolicyLoader.PolicyCheck check;
        try {
            check = PolicyLoader.check(config.policy());
        } catch (IOException e) {
            LOG.error("loadPolicy: {}", e.getMessage());
            return Optional.empty();
        }
        for (Diagnostic d : check.diagnostics()) {
            if (d.isError()) {
                LOG.error("loadPolicy: {}", d.format());
            } else {
                LOG.warn("loadPolicy: {}", d.format());
            }
        }
        return check.compiled();
    }

    /**
     * Re-reads the policy and applies it. An invalid policy, or one whose listeners cannot be bound, is refused and
     * the running one stays.
     */
    synchronized Optional<ReloadReport> reload() {
        if (stopped) {
            return Optional.empty();
        }
        Optional<CompiledPolicy> policy = loadPolicy(config);
        if (policy.isEmpty()) {
            LOG.error("reload: refused; the running policy stays");
            return Optional.empty();
        }
        try {
            ReloadReport report = plane.apply(policy.get());
            routes.ifPresent(r -> r.sync(policy.get().policy().cluster().nodes()));
            // A reload from the file is a commit by whoever wrote the file; the configuration store, when it
            // commits, reports its own revision and author instead.
            monitoring.controlPlane().policyCommitted(revision(plane, policy.get(), RELOAD_AUTHOR));
            monitoring.notifications().commit(report.revision(), RELOAD_AUTHOR);
            return Optional.of(report);
        } catch (DataPlaneException e) {
            LOG.error("reload: refused: {}; the running policy stays", e.getMessage());
            return Optional.empty();
        }
    }

    /** Drains connections for the configured time, then stops everything. Idempotent. */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            plane.drain(config.dataPlane().drainTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        monitoring.close();
        plane.close();
        LOG.info("stop: stopped");
    }

    DataPlane dataPlane() {
        return plane;
    }

    /**
     * Monitoring of this appliance: {@code monitoring().showMetrics()} and {@code showSnmp()} are the console's
     * {@code show metrics} and {@code show snmp}; the configuration store reports commits through
     * {@code controlPlane()} and {@code notifications()}.
     */
    Monitoring monitoring() {
        return monitoring;
    }
}
