package dev.portcullis.router;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.CpuAffinity;
import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.policy.Service;
import dev.portcullis.policy.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane: listeners for every service of the policy, admission by the compiled policy, and relaying to
 * pod endpoints.
 *
 * <pre>{@code
 * DataPlane plane = DataPlane.start(NettyTransport.best(), DataPlaneSettings.DEFAULT, compiled);
 * plane.apply(newlyCompiled);   // atomic: listeners added/removed, others untouched
 * plane.drain(Duration.ofSeconds(30));
 * plane.close();
 * }</pre>
 *
 * <p>Policy updates are atomic: {@link #apply} builds a new {@link RouterState}, binds listeners the new policy adds
 * (and gives up, keeping the running state, if one cannot bind), publishes the state with one volatile write, then
 * closes listeners the new policy no longer has. Listeners it keeps are never rebound, so no connection attempt
 * fails during a reload; established connections keep running unless the settings ask to close those the new
 * policy would refuse.
 *
 * <p>Threading: {@link #apply}, {@link #drain} and {@link #close} are called by one control thread at a time
 * (they are synchronized); {@link #state} is read by every event loop.
 */
public final class DataPlane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);

    private final NettyTransport transport;
    private final DataPlaneSettings settings;
    private final EventLoopGroup group;
    /** The loops with their TCP relay state, made on the first direct TCP listener; guarded by this object. */
    private DirectLoops directLoops;
    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final DecisionLog decisionLog;
    private final RecentFlows recentFlows = new RecentFlows(RecentFlows.DEFAULT_CAPACITY);
    private final AtomicInteger globalActive = new AtomicInteger();

    /** The current snapshot; written only by {@link #apply} under this object's lock, read by every event loop. */
    private volatile RouterState state;

    /**
     * The snapshot being applied, while its new listeners are bound and before it is published: a connection that
     * reaches a new listener in that window decides with it (see {@link #stateFor}). Written under this object's
     * lock; null otherwise.
     */
    private volatile RouterState pending;

    /** Bound listeners; touched only under this object's lock. */
    private final Map<ListenerKey, Listener> listeners = new LinkedHashMap<>();

    /** Established TCP connections, for reload re-checks and draining. */
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();

    private boolean closed;

    /** Told of endpoint health flips; set by {@link #onEndpointHealth}, read on the event loops. */
    private volatile EndpointHealthListener healthListener = EndpointHealthListener.NONE;

    /**
     * Off the event loops: sweeps idle per-source limit entries every few seconds (it walks whole maps), and closes
     * connections idle past their service's timeout every second.
     */
    private final java.util.concurrent.ScheduledExecutorService sweeper =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("data-plane-sweeper").daemon().factory());

    private DataPlane(NettyTransport transport, DataPlaneSettings settings) {
        this.transport = transport;
        this.settings = settings;
        int threads = settings.ioThreads() == 0 ? Runtime.getRuntime().availableProcessors() : settings.ioThreads();
        this.group = transport.newGroup(threads);
        this.decisionLog = new DecisionLog(settings.decisionLogPerSecond(),
                (int) Math.max(1, 2 * settings.decisionLogPerSecond()), counters);
        sweeper.scheduleWithFixedDelay(this::sweepLimits, 5, 5, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(this::sweepIdle, 1, 1, TimeUnit.SECONDS);
    }

    /** The event loops (tests look at their threads). */
    EventLoopGroup group() {
        return group;
    }

    /**
     * Binds each event loop's thread to its CPU as {@code settings.cpuAffinity()} asks (see {@link LoopAffinity}).
     * With {@code auto}, whatever stands in the way (no such call here, a kernel refusal) is logged and the loops run
     * unbound; an explicit list of CPUs that cannot be honoured stops the start, since the operator asked for it.
     */
    private void bindLoops() throws DataPlaneException {
        CpuAffinity setting = settings.cpuAffinity();
        boolean explicit = setting instanceof CpuAffinity.Cpus;
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        LoopAffinity.Plan plan;
        try {
            plan = LoopAffinity.plan(setting, loops.size());
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (explicit) {
                throw new DataPlaneException("dataPlane.cpuAffinity " + setting.describe() + ": " + e.getMessage(), e);
            }
            plan = new LoopAffinity.Plan.Unbound(e.getMessage());
        }
        if (plan instanceof LoopAffinity.Plan.Unbound(String reason)) {
            LOG.info("bindLoops: event loops not bound to CPUs: {}", reason);
            return;
        }
        int[] cpus = ((LoopAffinity.Plan.Bind) plan).cpus();
        for (int i = 0; i < cpus.length; i++) {
            int cpu = cpus[i];
            try {
                loops.get(i).submit(() -> LoopAffinity.bindCurrentThread(cpu)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Throwable why = e instanceof ExecutionException ? e.getCause() : e;
                if (explicit) {
                    throw new DataPlaneException("dataPlane.cpuAffinity " + setting.describe() + ": " + why.getMessage(),
                            why);
                }
                LOG.warn("bindLoops: event loop {} left unbound: {}", i, why.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataPlaneException("interrupted while binding event loops to CPUs", e);
            }
        }
        LOG.info("bindLoops: event loops bound to CPUs {} (cpuAffinity {})", Arrays.toString(cpus), setting.describe());
    }

    /**
     * Closes established connections through which no byte has moved, either way, for their service's idle timeout.
     * One pass a second over the connection set instead of a timer per connection: an idle close comes up to a
     * second late, and a new connection costs no timer to schedule and cancel.
     */
    private void sweepIdle() {
        long now = System.nanoTime();
        for (ProxiedConnection c : connections) {
            if (c.idleAt(now)) {
                c.closeFrom();
            }
        }
    }

    private void sweepLimits() {
        RouterState s = state;
        if (s != null) {
            long now = System.nanoTime();
            s.services().values().forEach(rt -> rt.limits().sweep(now));
        }
    }

    /**
     * Starts a data plane on {@code policy}: binds every listener.
     *
     * @throws DataPlaneException when a listener cannot be bound; nothing is left running
     */
    public static DataPlane start(NettyTransport transport, DataPlaneSettings settings, CompiledPolicy policy)
            throws DataPlaneException {
        DataPlane plane = new DataPlane(transport, settings);
        try {
            plane.bindLoops();
            plane.apply(policy);
        } catch (DataPlaneException | RuntimeException e) {
            plane.close();
            throw e;
        }
        LOG.info("start: data plane on {} with {} listeners (TCP relayed {})", transport.name(),
                plane.listeners.size(), switch (transport.tcp()) {
                    case EPOLL_DIRECT -> "directly on the event loops";
                    case IO_URING -> "with ring operations on the event loops";
                    case CHANNELS -> "through Netty channels";
                });
        return plane;
    }

    /**
     * Applies a new compiled policy atomically.
     *
     * @throws DataPlaneException when a new listener cannot be bound: the running state stays as it was
     */
    public synchronized ReloadReport apply(CompiledPolicy policy) throws DataPlaneException {
        if (closed) {
            throw new IllegalStateException("apply: the data plane is closed");
        }
        RouterState old = state;
        long revision = old == null ? 1 : old.revision() + 1;
        Map<String, ServiceRuntime> services = new HashMap<>();
        Map<ListenerKey, ServiceRuntime> byListener = new HashMap<>();
        List<ServiceRuntime> started = new ArrayList<>();
        List<String> rebuilt = new ArrayList<>();
        for (Service s : policy.policy().services()) {
            ServiceRuntime previous = old == null ? null : old.services().get(s.name());
            ServiceRuntime rt;
            if (previous != null && sameConfig(previous.service(), s)) {
                rt = previous;
            } else {
                rt = new ServiceRuntime(s, ServiceRuntime.endpointsReusing(s, previous),
                        new AdmissionLimits(s.limits(), globalActive, settings.maxConnections()),
                        counters.service(s.name()));
                started.add(rt);
                rebuilt.add(s.name());
            }
            services.put(s.name(), rt);
            for (HostPort hp : s.listen()) {
                byListener.put(new ListenerKey(hp, s.protocol()), rt);
            }
        }
        RouterState next = new RouterState(revision, policy, services, byListener,
                RouterState.ruleCounters(policy, counters),
                new ClusterIpGuard(policy.policy().cluster().serviceCidrs()));

        // Bind what is new before anything changes, so a failure leaves the running state whole.
        pending = next;
        List<Listener> bound = new ArrayList<>();
        for (ListenerKey key : byListener.keySet()) {
            if (listeners.containsKey(key)) {
                continue;
            }
            try {
                bound.add(key.transport() == Transport.UDP ? UdpListener.bind(this, group, key)
                        : switch (transport.tcp()) {
                            case EPOLL_DIRECT -> DirectTcpListener.bind(this, directLoops(), key);
                            case IO_URING -> UringTcpListener.bind(this, directLoops(), key);
                            case CHANNELS -> TcpListener.bind(this, group, key);
                        });
            } catch (Exception e) {
                pending = null;
                bound.forEach(Listener::close);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new DataPlaneException("cannot listen on " + key + ": " + e.getMessage(), e);
            }
        }
        for (ServiceRuntime rt : started) {
            // Health checks are connections too: never probe an address the guard refuses.
            List<Endpoint> probed = rt.endpoints().stream()
                    .filter(e -> !next.guard().refuses(e.socketAddress().getAddress())).toList();
            HealthChecker checker = new HealthChecker(probed, group, transport.socketChannel(),
                    rt.service().healthCheck(), (endpoint, up) -> healthChanged(rt, endpoint, up));
            rt.healthChecker(checker);
        }
        state = next;
        pending = null;
        started.forEach(rt -> rt.healthChecker().start());

        List<ListenerKey> added = bound.stream().map(Listener::key).toList();
        bound.forEach(l -> listeners.put(l.key(), l));
        List<ListenerKey> removed = new ArrayList<>();
        for (ListenerKey key : List.copyOf(listeners.keySet())) {
            if (!byListener.containsKey(key)) {
                listeners.remove(key).close();
                removed.add(key);
            }
        }
        if (old != null) {
            for (ServiceRuntime rt : old.services().values()) {
                if (services.get(rt.name()) != rt && rt.healthChecker() != null) {
                    rt.healthChecker().close();
                }
            }
        }
        int closedConnections = recheckConnections(next);
        for (Listener l : listeners.values()) {
            if (l instanceof UdpListener u) {
                u.recheck(settings.closeDeniedOnReload());
            }
        }
        ReloadReport report = new ReloadReport(revision, added, removed, rebuilt, closedConnections);
        LOG.info("apply: {}", report);
        return report;
    }

    private DirectLoops directLoops() {
        if (directLoops == null) {
            directLoops = new DirectLoops(group);
        }
        return directLoops;
    }

    /** Whether two versions of a service need no new runtime: equal in everything but their place in the file. */
    private static boolean sameConfig(Service a, Service b) {
        return a.listen().equals(b.listen()) && a.protocol() == b.protocol() && a.endpoints().equals(b.endpoints())
                && a.balance() == b.balance() && a.healthCheck().equals(b.healthCheck())
                && a.limits().equals(b.limits()) && a.timeouts().equals(b.timeouts())
                && a.proxyProtocol() == b.proxyProtocol();
    }

    /** Closes established connections the new state refuses: always those to a guarded address, and, when the
     * settings ask, those the new policy would not accept or whose service is gone. */
    private int recheckConnections(RouterState next) {
        int closing = 0;
        for (ProxiedConnection c : connections) {
            boolean gone = next.listeners().get(c.listener) == null;
            Endpoint e = c.endpoint();
            boolean guarded = e != null && next.guard().refuses(e.socketAddress().getAddress());
            boolean denied = next.policy().action(Flows.match(next.policy(), c.clientIp,
                    Flows.ipAddress(c.local.getAddress()), c.client.getPort(), c.local.getPort(), IpProtocols.TCP))
                    != Action.ACCEPT;
            if (guarded || (settings.closeDeniedOnReload() && (gone || denied))) {
                c.closeFrom();
                closing++;
            }
        }
        return closing;
    }

    private void healthChanged(ServiceRuntime rt, Endpoint endpoint, boolean up) {
        LOG.warn("healthChanged: service {} endpoint {} is {}", rt.name(), endpoint.address(), up ? "up" : "down");
        rt.selector().healthChanged();
        try {
            healthListener.healthChanged(rt.name(), endpoint, up);
        } catch (RuntimeException e) {
            LOG.warn("healthChanged: listener failed on {} going {}", endpoint.address(), up ? "up" : "down", e);
        }
    }

    /**
     * Sets the one listener told of every endpoint health flip from now on (replacing any earlier one); see
     * {@link EndpointHealthListener} for where it runs.
     */
    public void onEndpointHealth(EndpointHealthListener listener) {
        this.healthListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** Where admitted connections register once established, and leave when closed. */
    private final ProxiedConnection.ConnectionRegistry registry = new ProxiedConnection.ConnectionRegistry() {
        @Override
        public void register(ProxiedConnection c) {
            connections.add(c);
        }

        @Override
        public void unregister(ProxiedConnection c) {
            connections.remove(c);
        }
    };

    ProxiedConnection.ConnectionRegistry registry() {
        return registry;
    }

    /** The current snapshot: policy, services, counters by rule, guard. */
    public RouterState state() {
        return state;
    }

    /**
     * The snapshot a new connection on {@code key} decides with: the current one, or, for a listener that a reload
     * in progress has just bound and not yet published, the one being applied. So no connection reaching a new
     * listener is refused for arriving a moment early.
     */
    RouterState stateFor(ListenerKey key) {
        RouterState current = state;
        if (current != null && current.listeners().containsKey(key)) {
            return current;
        }
        RouterState next = pending;
        return next != null && next.listeners().containsKey(key) ? next : current;
    }

    /** The flows decided most recently (TCP connections and new UDP flows), for the console's verdict diff. */
    public RecentFlows recentFlows() {
        return recentFlows;
    }

    public DataPlaneCounters counters() {
        return counters;
    }

    public DataPlaneSettings settings() {
        return settings;
    }

    public NettyTransport transport() {
        return transport;
    }

    DecisionLog decisionLog() {
        return decisionLog;
    }

    /** Established TCP connections now. */
    public int connectionCount() {
        return connections.size();
    }

    /** The established TCP connections now, of every service, oldest first. */
    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> out = new ArrayList<>(connections.size());
        for (ProxiedConnection c : connections) {
            out.add(c.info());
        }
        out.sort(java.util.Comparator.comparing(ConnectionInfo::since));
        return out;
    }

    /**
     * Closes the established TCP connections of {@code service}, or of every service when empty (for
     * {@code clear connections}); both sides get what is queued, then a FIN. Returns how many were asked to close.
     */
    public int closeConnections(java.util.Optional<String> service) {
        int n = 0;
        for (ProxiedConnection c : connections) {
            if (service.isEmpty() || service.get().equals(c.service.name())) {
                c.closeFrom();
                n++;
            }
        }
        LOG.info("closeConnections: closing {} connections of {}", n, service.orElse("every service"));
        return n;
    }

    /** Active connections and UDP flows counted against the global limit. */
    public int globalActive() {
        return globalActive.get();
    }

    /** The bound listeners' keys. */
    public synchronized List<ListenerKey> listeners() {
        return List.copyOf(listeners.keySet());
    }

    /**
     * Stops accepting (closes every listener), then waits up to {@code timeout} for established connections to
     * end by themselves; closes those left. Returns how many were left and closed.
     */
    public synchronized int drain(Duration timeout) throws InterruptedException {
        for (Listener l : listeners.values()) {
            l.close();
        }
        listeners.clear();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        int left = connections.size();
        for (ProxiedConnection c : connections) {
            c.closeFrom();
        }
        LOG.info("drain: {} connections left after {} ms were closed", left, timeout.toMillis());
        return left;
    }

    /** Closes listeners, health checkers and connections, and stops the event loops. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Listener l : listeners.values()) {
            try {
                l.close();
            } catch (RuntimeException e) {
                LOG.warn("close: listener {}: {}", l.key(), e.toString());
            }
        }
        listeners.clear();
        RouterState s = state;
        if (s != null) {
            for (ServiceRuntime rt : s.services().values()) {
                if (rt.healthChecker() != null) {
                    rt.healthChecker().close();
                }
            }
        }
        connections.forEach(ProxiedConnection::closeFrom);
        sweeper.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
