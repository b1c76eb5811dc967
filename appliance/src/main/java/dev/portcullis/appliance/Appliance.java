package dev.portcullis.appliance;

import dev.portcullis.mgmt.audit.AuditLog;
import dev.portcullis.mgmt.console.Console;
import dev.portcullis.mgmt.console.DataPlaneView;
import dev.portcullis.mgmt.ssh.SshConsoleException;
import dev.portcullis.mgmt.ssh.SshConsoleServer;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.Diagnostic;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.router.ClusterRoutes;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneException;
import dev.portcullis.router.DataPlaneSettings;
import dev.portcullis.router.DecisionLog;
import dev.portcullis.router.ReloadReport;
import dev.portcullis.router.NettyTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance: the data plane on the configured policy, the cluster routes, the SSH console, and
 * reloads.
 *
 * <p>Threading: {@link #reload} and {@link #stop} are synchronized; they come from the signal handler thread and
 * the shutdown hook.
 */
final class Appliance {

    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    private final ApplianceConfig config;
    private final DataPlane plane;
    private final Optional<ClusterRoutes> routes;
    private final Optional<Management> management;
    private boolean stopped;

    /** The SSH console and the audit log it writes; closed together, the server first. */
    private record Management(SshConsoleServer server, AuditLog audit) {
        void close() {
            try {
                server.close();
            } catch (IOException e) {
                LOG.warn("close: SSH console: {}", e.toString());
            }
            try {
                audit.close();
            } catch (IOException e) {
                LOG.warn("close: audit log: {}", e.toString());
            }
        }
    }

    private Appliance(ApplianceConfig config, DataPlane plane, Optional<ClusterRoutes> routes,
                      Optional<Management> management) {
        this.config = config;
        this.plane = plane;
        this.routes = routes;
        this.management = management;
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
        Optional<ClusterRoutes> routes = Optional.empty();
        if (config.routes().manage()) {
            ClusterRoutes r = new ClusterRoutes(config.routes().protocol(), ClusterRoutes.CommandRunner.processes());
            r.sync(policy.policy().cluster().nodes()).forEach(s -> LOG.info("start: route {}", s));
            routes = Optional.of(r);
        }
        Optional<Management> management = Optional.empty();
        if (config.ssh().isPresent()) {
            try {
                management = Optional.of(startConsole(config, plane, routes));
            } catch (SshConsoleException | IOException e) {
                plane.close();
                throw new StartFailure("the SSH console did not start: " + e.getMessage(), e);
            }
        }
        LOG.info("start: node {} serving policy {} ({} rules, {} services) on {}", config.node(), config.policy(),
                policy.policy().rules().size(), policy.policy().services().size(), plane.listeners());
        return new Appliance(config, plane, routes, management);
    }

    /**
     * Starts the SSH console on the management address, writing its audit log next to the other logs. Until the
     * configuration store is part of the appliance, the console shows the policy file as the running revision.
     */
    private static Management startConsole(ApplianceConfig config, DataPlane plane, Optional<ClusterRoutes> routes)
            throws SshConsoleException, IOException {
        ApplianceConfig.Ssh ssh = config.ssh().orElseThrow();
        Path logs = config.logging().directory();
        AuditLog audit = new AuditLog(logs, ssh.auditMaxSize(), ssh.auditFiles());
        Console console = new Console(new DataPlaneView(plane, routes, config.node(), Version.current(),
                logs.resolve(DecisionLog.FILE_NAME)), new PolicyFileConfig(config.policy()), audit, ssh.uploads());
        String host = config.managementAddress().orElseThrow().toString();
        try {
            SshConsoleServer server = SshConsoleServer.start(ssh, host, config.users(), console, audit);
            if (config.users().isEmpty()) {
                LOG.warn("startConsole: appliance.yaml declares no users: nobody can log in to the console");
            }
            return new Management(server, audit);
        } catch (SshConsoleException e) {
            audit.close();
            throw e;
        }
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
        plane.close();
        management.ifPresent(Management::close);
        LOG.info("stop: stopped");
    }

    DataPlane dataPlane() {
        return plane;
    }

    /** The SSH console's port, when it runs. */
    Optional<Integer> consolePort() {
        return management.map(m -> m.server().port());
    }
}
