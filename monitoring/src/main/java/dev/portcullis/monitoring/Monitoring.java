package dev.portcullis.monitoring;

import dev.portcullis.policy.PasswordHash;
import dev.portcullis.monitoring.snmp.SnmpAgent;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.Endpoint;
import dev.portcullis.router.EndpointHealthListener;
import dev.portcullis.router.RefusalReason;
import dev.portcullis.router.RouterState;
import dev.portcullis.router.ServiceCounters;
import dev.portcullis.router.ServiceRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monitoring of one appliance: the meters over the data plane's and control plane's counters, the Prometheus
 * endpoint and the SNMP agent as {@code appliance.yaml} asks, and notifications.
 *
 * <pre>{@code
 * Monitoring m = Monitoring.start(config, plane, version, stateDir); // after the data plane started
 * m.controlPlane().policyCommitted(new PolicyRevision(...));       // from the configuration store
 * m.notifications().commit(revision, author);
 * String text = m.showMetrics();                                   // for the console's "show metrics"
 * m.close();                                                       // before the data plane closes
 * }</pre>
 *
 * <p>Endpoint health flips come from the data plane ({@link DataPlane#onEndpointHealth}); limit hits are found by
 * a look at the refusal counters every second. Threading: every method may be called from any thread.
 */
public final class Monitoring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Monitoring.class);

    private final String node;
    private final DataPlane plane;
    private final ControlPlaneMetrics controlPlane = new ControlPlaneMetrics();
    private final Notifications notifications;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PortcullisMeters meters;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("monitoring-timer").daemon().factory());
    /** Set once by {@link #start}; empty when {@code appliance.yaml} has no {@code metrics} section. */
    private Optional<MetricsEndpoint> endpoint = Optional.empty();
    /** Set once by {@link #start}; empty when {@code appliance.yaml} has no {@code snmp} section. */
    private Optional<SnmpAgent> agent = Optional.empty();
    private boolean closed;

    private Monitoring(ApplianceConfig config, DataPlane plane) {
        this.node = config.node();
        this.plane = plane;
        this.notifications = new Notifications(config.snmp().map(ApplianceConfig.Snmp::notificationsPerMinute)
                .orElse(ApplianceConfig.Snmp.DEFAULT_NOTIFICATIONS_PER_MINUTE));
        // Micrometer's process.cpu.time is in nanoseconds ("_ns_total", which promtool rejects as an abbreviated
        // unit); Prometheus's own name for it is process_cpu_seconds_total.
        registry.config().meterFilter(MeterFilter.deny(
                id -> id.getName().equals("process.cpu.time")));
        // system.cpu.count would be system_cpu_count, a gauge with the "_count" suffix of summaries (promtool).
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        this.meters = new PortcullisMeters(registry, plane, controlPlane, notifications);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os,
                            x -> x.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time used by the process").register(registry);
        }
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /**
     * Starts monitoring {@code plane} as {@code config} asks, and sends the start notification.
     *
     * @param version the software version, for the start notification and the SNMP system description
     * @param stateDirectory where the SNMP engine's boots count is kept (created if missing)
     * @throws MonitoringException when an address cannot be bound, the password hash is unusable or the SNMP
     *                             state cannot be kept; nothing is left running
     */
    public static Monitoring start(ApplianceConfig config, DataPlane plane, String version, Path stateDirectory)
            throws MonitoringException {
        Monitoring m = new Monitoring(config, plane);
        try {
            if (config.metrics().isPresent()) {
                ApplianceConfig.Metrics mc = config.metrics().get();
                Optional<BasicAuthCheck> auth = Optional.empty();
                if (mc.basicAuth().isPresent()) {
                    ApplianceConfig.BasicAuth b = mc.basicAuth().get();
                    try {
                        auth = Optional.of(new BasicAuthCheck(b.user(), PasswordHash.parse(b.passwordHash())));
                    } catch (IllegalArgumentException e) {
                        throw new MonitoringException("metrics basicAuth: " + e.getMessage(), e);
                    }
                }
                InetSocketAddress at = new InetSocketAddress(Addresses.inet(mc.address()), mc.port());
                try {
                    m.endpoint = Optional.of(MetricsEndpoint.start(at, m.registry, m.meters::sync, auth));
                } catch (IOException e) {
                    throw new MonitoringException("cannot serve metrics on " + hostPort(at) + ": " + e.getMessage(), e);
                }
            }
            if (config.snmp().isPresent()) {
                ApplianceConfig.Snmp sc = config.snmp().get();
                try {
                    SnmpAgent a = SnmpAgent.start(sc, config.node(), version, plane, m.controlPlane, stateDirectory);
                    m.agent = Optional.of(a);
                    m.notifications.addSink(a);
                } catch (IOException e) {
                    throw new MonitoringException("cannot run the SNMP agent on udp " + sc.address() + ":"
                            + sc.port() + ": " + e.getMessage(), e);
                }
            }
        } catch (MonitoringException | RuntimeException e) {
            m.close();
            throw e;
        }
        plane.onEndpointHealth((service, endpoint, up) -> {
            if (up) {
                m.notifications.endpointUp(service, endpoint.address());
            } else {
                m.notifications.endpointDown(service, endpoint.address());
            }
        });
        LimitWatch limits = new LimitWatch(plane, m.notifications);
        m.timer.scheduleWithFixedDelay(() -> {
            try {
                limits.look();
            } catch (RuntimeException e) {
                LOG.warn("look: limit watch failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        m.notifications.started(config.node(), version);
        return m;
    }

    /** Where the control plane reports its figures. */
    public ControlPlaneMetrics controlPlane() {
        return controlPlane;
    }

    /** Where the control plane reports commits and automatic rollbacks. */
    public Notifications notifications() {
        return notifications;
    }

    /** The registry every meter is in, kept in line with the running policy. */
    public MeterRegistry registry() {
        meters.sync();
        return registry;
    }

    /** The Prometheus text exposition of every meter now, as {@code /metrics} serves it. */
    public String scrape() {
        meters.sync();
        return registry.scrape();
    }

    /** Where {@code /metrics} is served; empty when it is off. */
    public Optional<InetSocketAddress> metricsAddress() {
        return endpoint.map(MetricsEndpoint::address);
    }

    /** Where the SNMP agent answers; empty when it is off. */
    public Optional<InetSocketAddress> snmpAddress() {
        return agent.map(SnmpAgent::address);
    }

    /** The SNMP engine ID in hex (for a trap receiver's v3 user); empty when the agent is off. */
    public Optional<String> snmpEngineId() {
        return agent.map(SnmpAgent::engineIdHex);
    }

    /** A short summary for the console's {@code show snmp}. */
    public String showSnmp() {
        return agent.map(SnmpAgent::summary).orElse("agent: off (no snmp section in appliance.yaml)\n")
                + "notifications:" + kinds() + "\n";
    }

    private String kinds() {
        StringBuilder b = new StringBuilder();
        for (Notification.Kind k : Notification.Kind.values()) {
            b.append(' ').append(k.label()).append(' ').append(notifications.sent(k)).append(" sent/")
                    .append(notifications.suppressed(k)).append(" suppressed;");
        }
        b.setLength(b.length() - 1);
        return b.toString();
    }

    /** A short summary for the console's {@code show metrics}. */
    public String showMetrics() {
        StringBuilder b = new StringBuilder();
        b.append("metrics endpoint: ").append(endpoint.map(e -> "http://" + hostPort(e.address()) + "/metrics ("
                + (e.authenticated() ? "basic authentication" : "no authentication") + "), " + e.scrapes()
                + " scrapes, " + e.refused() + " refused").orElse("off")).append('\n');
        ControlPlaneMetrics.PolicyRevision p = controlPlane.policy();
        b.append("policy: revision ").append(p.revision()).append(", ").append(p.ruleCount()).append(" rules")
                .append(p.committedAt().toEpochMilli() == 0 ? "" : ", committed " + p.committedAt()
                        + (p.author().isEmpty() ? "" : " by " + p.author())).append('\n');
        b.append("connections: ").append(plane.globalActive()).append(" active; classifier lookups ")
                .append(plane.counters().lookups()).append('\n');
        RouterState s = plane.state();
        if (s != null) {
            List<ServiceRuntime> services = new ArrayList<>(s.services().values());
            services.sort(Comparator.comparing(ServiceRuntime::name));
            for (ServiceRuntime rt : services) {
                ServiceCounters c = rt.counters();
                long up = rt.endpoints().stream().filter(Endpoint::healthy).count();
                b.append(String.format("  %-20s active %d, total %d, bytes in %d, out %d, refused %d, endpoints "
                                + "%d of %d up%n", rt.name(), c.active(), c.total(), c.bytesIn(), c.bytesOut(),
                        refusals(c), up, rt.endpoints().size()));
            }
        }
        b.append("ssh: ").append(controlPlane.sshSessions()).append(" sessions, ")
                .append(controlPlane.failedLogins()).append(" failed logins\n");
        long sent = 0;
        long suppressed = 0;
        for (Notification.Kind k : Notification.Kind.values()) {
            sent += notifications.sent(k);
            suppressed += notifications.suppressed(k);
        }
        b.append("notifications: ").append(sent).append(" sent, ").append(suppressed).append(" suppressed\n");
        return b.toString();
    }

    private static long refusals(ServiceCounters c) {
        long n = 0;
        for (RefusalReason r : RefusalReason.values()) {
            n += c.refusals(r);
        }
        return n;
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Stops the endpoint, the agent and the timer; idempotent. Call it before the data plane closes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        plane.onEndpointHealth(EndpointHealthListener.NONE);
        timer.shutdownNow();
        endpoint.ifPresent(MetricsEndpoint::close);
        notifications.close();
        agent.ifPresent(SnmpAgent::close);
        gc.close();
        registry.close();
        LOG.info("close: monitoring of node {} stopped", node);
    }
}
