package dev.portcullis.appliance;

import dev.portcullis.mgmt.audit.AuditLog;
import dev.portcullis.mgmt.config.ConfigException;
import dev.portcullis.mgmt.config.ConfigService;
import dev.portcullis.mgmt.config.ConfigSession;
import dev.portcullis.mgmt.config.ConfigStore;
import dev.portcullis.mgmt.config.Operator;
import dev.portcullis.mgmt.console.Console;
import dev.portcullis.mgmt.console.StoreConfigBackend;
import dev.portcullis.mgmt.console.SystemSoftware;
import dev.portcullis.monitoring.ControlPlaneMetrics;
import dev.portcullis.monitoring.Monitoring;
import dev.portcullis.monitoring.MonitoringException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance: the configuration store and the data plane on its running revision, the cluster routes,
 * monitoring (Prometheus, SNMP, notifications), the SSH console, and reloads.
 *
 * <p>Threading: {@link #reload} and {@link #stop} are synchronized; they come from the signal handler thread and
 * the shutdown hook.
 */
final class Appliance {

    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    /** Who commits the policy file on SIGHUP, as revisions and notifications name it. */
    static final String RELOAD_AUTHOR = "system";

    private final ApplianceConfig config;
    private final DataPlane plane;
    private final Optional<ClusterRoutes> routes;
    private final Optional<Management> management;
    private final Configuration configuration;
    private final Monitoring monitoring;
    private boolean stopped;

    /**
     * The configuration store and the service over it: the source of truth for the running policy. Closed
     * together, the service first.
     */
    private record Configuration(ConfigStore store, ConfigService service) {
        void close() {
            service.close();
            try {
                store.close();
            } catch (IOException e) {
                LOG.warn("close: configuration store: {}", e.toString());
            }
        }
    }

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
                      Optional<Management> management, Configuration configuration, Monitoring monitoring) {
        this.config = config;
        this.plane = plane;
        this.routes = routes;
        this.management = management;
        this.configuration = configuration;
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
        Configuration configuration = openConfiguration(config);
        CompiledPolicy policy = configuration.service().runningPolicy();
        ApplianceConfig.DataPlane dp = config.dataPlane();
        DataPlaneSettings settings = new DataPlaneSettings(dp.ioThreads(), dp.maxConnections(),
                dp.maxUdpFlowsPerListener(), dp.closeDeniedOnReload(), config.logging().decisionsPerSecond(),
                dp.drainTimeout(), dp.cpuAffinity());
        DataPlane plane;
        try {
            plane = DataPlane.start(NettyTransport.configured(dp.transport()), settings, policy);
        } catch (DataPlaneException e) {
            configuration.close();
            throw new StartFailure(e.getMessage(), e);
        }
        Monitoring monitoring;
        try {
            // The SNMP engine's boots count is kept in the state directory, beside the configuration store.
            monitoring = Monitoring.start(config, plane, Version.current(), config.state().directory());
        } catch (MonitoringException e) {
            plane.close();
            configuration.close();
            throw new StartFailure(e.getMessage(), e);
        }
        dev.portcullis.mgmt.config.Revision running = configuration.service().running();
        monitoring.controlPlane().policyCommitted(new ControlPlaneMetrics.PolicyRevision(running.number(),
                policy.policy().rules().size(), running.time(), running.author()));
        // Every later revision (console commits, SIGHUP commits, automatic rollbacks) reaches monitoring.
        configuration.service().onRevision((r, p) -> {
            monitoring.controlPlane().policyCommitted(new ControlPlaneMetrics.PolicyRevision(r.number(),
                    p.policy().rules().size(), r.time(), r.author()));
            if (r.origin() == dev.portcullis.mgmt.config.Revision.Origin.AUTOMATIC_ROLLBACK) {
                monitoring.notifications().automaticRollback(r.number(), r.rollbackTo().orElse(0), r.author());
            } else {
                monitoring.notifications().commit(r.number(), r.author());
            }
        });
        Optional<ClusterRoutes> routes = Optional.empty();
        if (config.routes().manage()) {
            ClusterRoutes r = new ClusterRoutes(config.routes().protocol(), ClusterRoutes.CommandRunner.processes());
            r.sync(policy.policy().cluster().nodes()).forEach(s -> LOG.info("start: route {}", s));
            routes = Optional.of(r);
        }
        Optional<ClusterRoutes> routesForCommits = routes;
        configuration.service().start(p -> {
            ReloadReport report = plane.apply(p);
            routesForCommits.ifPresent(r -> r.sync(p.policy().cluster().nodes()));
            return report;
        }, () -> plane.recentFlows().snapshot());
        Optional<Management> management = Optional.empty();
        if (config.ssh().isPresent()) {
            try {
                management = Optional.of(startConsole(config, plane, routes, configuration.service(), monitoring));
            } catch (SshConsoleException | IOException e) {
                monitoring.close();
                plane.close();
                configuration.close();
                throw new StartFailure("the SSH console did not start: " + e.getMessage(), e);
            }
        }
        LOG.info("start: node {} serving revision {} of the policy ({} rules, {} services) on {}", config.node(),
                configuration.service().running().number(), policy.policy().rules().size(),
                policy.policy().services().size(), plane.listeners());
        return new Appliance(config, plane, routes, management, configuration, monitoring);
    }

    /**
     * Opens the configuration store on the data partition. On first start (an empty store) the policy file becomes
     * revision 1; afterwards the store's running revision is what runs, and the file is read again only on SIGHUP
     * (see {@link #reload}). An unconfirmed {@code commit confirmed} whose time ran out while the appliance was
     * down is rolled back here, before the data plane starts.
     */
    private static Configuration openConfiguration(ApplianceConfig config) throws StartFailure {
        ApplianceConfig.State state = config.state();
        ConfigStore store;
        try {
            store = ConfigStore.open(state.directory(), state.keepRevisions());
        } catch (IOException e) {
            throw new StartFailure("the configuration store " + state.directory() + " cannot be opened: "
                    + e.getMessage(), e);
        }
        try {
            if (store.running().isEmpty()) {
                if (loadPolicy(config).isEmpty()) {
                    throw new StartFailure(config.policy() + ": invalid policy; the appliance did not start", null);
                }
                store.importPolicy(Files.readString(config.policy()), Instant.now(), "imported from "
                        + config.policy().getFileName());
                LOG.info("openConfiguration: the store {} was empty: {} is revision 1", state.directory(),
                        config.policy());
            }
            return new Configuration(store, ConfigService.open(store, ConfigService.Settings.defaults()));
        } catch (IOException | ConfigException | RuntimeException | StartFailure e) {
            try {
                store.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof StartFailure f) {
                throw f;
            }
            throw new StartFailure("the configuration store " + state.directory() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts the SSH console on the management address, writing its audit log next to the other logs; its
     * configuration mode works on the configuration store.
     */
    private static Management startConsole(ApplianceConfig config, DataPlane plane, Optional<ClusterRoutes> routes,
                                           ConfigService service, Monitoring monitoring)
            throws SshConsoleException, IOException {
        ApplianceConfig.Ssh ssh = config.ssh().orElseThrow();
        Path logs = config.logging().directory();
        AuditLog audit = new AuditLog(logs, ssh.auditMaxSize(), ssh.auditFiles());
        DataPlaneView view = new DataPlaneView(plane, routes, config.node(), Version.current(),
                logs.resolve(DecisionLog.FILE_NAME)).withMonitoring(monitoring::showMetrics, monitoring::showSnmp);
        Console console = new Console(view, new StoreConfigBackend(service, user -> ssh.uploads().resolve(user)),
                audit, ssh.uploads()).withSoftware(systemSoftware());
        String host = config.managementAddress().orElseThrow().toString();
        try {
            SshConsoleServer server = SshConsoleServer.start(ssh, host, config.users(), console, audit);
            server.onEvents(new SshConsoleServer.Events() {
                @Override
                public void sessionOpened() {
                    monitoring.controlPlane().sshSessionOpened();
                }

                @Override
                public void sessionClosed() {
                    monitoring.controlPlane().sshSessionClosed();
                }

                @Override
                public void loginFailed() {
                    monitoring.controlPlane().loginFailed();
                }
            });
            if (config.users().isEmpty()) {
                LOG.warn("startConsole: appliance.yaml declares no users: nobody can log in to the console");
            }
            return new Management(server, audit);
        } catch (SshConsoleException e) {
            audit.close();
            throw e;
        }
    }

    /**
     * The installed software (A/B slots) for the console, from the image module when it is on the module path (an
     * appliance image ships it; a development checkout does not).
     */
    private static Optional<SystemSoftware> systemSoftware() {
        for (SystemSoftware.Provider p : java.util.ServiceLoader.load(SystemSoftware.Provider.class)) {
            Optional<SystemSoftware> s = p.forThisSystem();
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
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
     * SIGHUP: reads the policy file again and commits it as a new revision (author {@code system}, source
     * {@code SIGHUP}), so that the file and the store never disagree about what runs. An unchanged file commits
     * nothing; an invalid one, or one whose listeners cannot be bound, is refused and the running revision stays.
     *
     * @return the reload report of the commit; empty when nothing was committed
     */
    synchronized Optional<ReloadReport> reload() {
        if (stopped) {
            return Optional.empty();
        }
        Path file = config.policy().toAbsolutePath();
        try {
            ConfigSession session = configuration.service().openSession(new Operator(RELOAD_AUTHOR, "SIGHUP"),
                    file.getParent());
            session.load(file.getFileName().toString());
            if (!session.modified()) {
                LOG.info("reload: {} is the same as running revision {}; nothing to commit", file,
                        configuration.service().running().number());
                return Optional.empty();
            }
            var result = session.commit("reload of " + file.getFileName() + " on SIGHUP");
            LOG.info("reload: {} committed as revision {}: {}", file, result.revision().number(), result.reload());
            return Optional.of(result.reload());
        } catch (ConfigException e) {
            LOG.error("reload: refused: {}; the running revision {} stays", e.report(),
                    configuration.service().running().number());
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
        management.ifPresent(Management::close);
        configuration.close();
        monitoring.close();
        plane.close();
        LOG.info("stop: stopped");
    }

    DataPlane dataPlane() {
        return plane;
    }

    /**
     * Monitoring of this appliance: {@code monitoring().showMetrics()} and {@code showSnmp()} are the console's
     * {@code show metrics} and {@code show snmp}.
     */
    Monitoring monitoring() {
        return monitoring;
    }

    /** The SSH console's port, when it runs. */
    Optional<Integer> consolePort() {
        return management.map(m -> m.server().port());
    }
}
