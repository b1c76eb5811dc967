package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted TCP connection: its two sockets (through {@link Sides}, whichever way the bytes move), the endpoint
 * once connected, and what was counted against limits and endpoints, so that closing undoes exactly that, once.
 *
 * <p>Threading: both sides share one event loop, and every method but {@link #closeFrom} runs on it. {@code closed}
 * is volatile because a reload may ask from the control thread; that path hops onto the event loop.
 */
final class ProxiedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ProxiedConnection.class);

    private final Sides sides;
    final ListenerKey listener;
    final InetSocketAddress client;
    final InetSocketAddress local;
    final IpAddress clientIp;
    final ServiceRuntime service;
    private final ConnectionRegistry registry;

    /** Set on the event loop once the endpoint connection is up. */
    private Endpoint endpoint;
    /** When the endpoint side came up, in milliseconds since the epoch; set before the connection is registered. */
    private volatile long establishedMillis;
    private boolean inboundEnded;
    private boolean outboundEnded;
    private volatile boolean closed;
    /**
     * When bytes last moved (System.nanoTime), written on the event loop by {@link #touch} and read by the idle
     * sweep on another thread with opaque access: a stale read only delays an idle close by one sweep.
     */
    @SuppressWarnings("unused") // accessed through LAST_ACTIVITY
    private long lastActivity;
    private final long idleNanos;

    private static final java.lang.invoke.VarHandle LAST_ACTIVITY;

    static {
        try {
            LAST_ACTIVITY = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(ProxiedConnection.class, "lastActivity", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The two sockets of a connection as the relay moving its bytes holds them: Netty channels
     * ({@link ChannelSides}) or sockets driven directly on the epoll loop ({@link DirectConnection}).
     */
    interface Sides {
        /** The event loop both sides run on. */
        EventExecutor executor();

        /** Closes both sides after what is queued to them (each gets a FIN). On the event loop. */
        void close();

        /** Closes both sides at once, the client with RST: a refused connection. On the event loop. */
        void reset();
    }

    /** Where established connections are kept, for reload re-checks and draining. */
    interface ConnectionRegistry {
        void register(ProxiedConnection c);

        void unregister(ProxiedConnection c);
    }

    ProxiedConnection(ConnectionRegistry registry, Sides sides, ListenerKey listener, InetSocketAddress client,
                      InetSocketAddress local, IpAddress clientIp, ServiceRuntime service) {
        this.registry = registry;
        this.sides = sides;
        this.listener = listener;
        this.client = client;
        this.local = local;
        this.clientIp = clientIp;
        this.service = service;
        this.idleNanos = service.service().timeouts().idle().toNanos();
    }

    /** Records the connected endpoint and counts the connection as open. */
    void established(Endpoint e) {
        this.endpoint = e;
        this.establishedMillis = System.currentTimeMillis();
        e.opened();
        service.counters().opened();
        touch();
        registry.register(this);
    }

    /** Bytes moved: the connection is not idle. On the event loop; no allocation. */
    void touch() {
        LAST_ACTIVITY.setOpaque(this, System.nanoTime());
    }

    /** Whether no byte has moved either way for the service's idle timeout, as of {@code now} (nanoTime). */
    boolean idleAt(long now) {
        return now - (long) LAST_ACTIVITY.getOpaque(this) >= idleNanos;
    }

    /** The endpoint once connected, else null. Set on the event loop; read racily by a reload's re-check. */
    Endpoint endpoint() {
        return endpoint;
    }

    /** A snapshot for the console; only called on registered (established) connections. */
    ConnectionInfo info() {
        return new ConnectionInfo(service.name(), client, local, endpoint.socketAddress(),
                java.time.Instant.ofEpochMilli(establishedMillis));
    }

    void count(Relay.Direction direction, int bytes) {
        if (direction == Relay.Direction.INBOUND) {
            service.counters().addBytesIn(bytes);
            endpoint.addBytesToEndpoint(bytes);
        } else {
            service.counters().addBytesOut(bytes);
            endpoint.addBytesFromEndpoint(bytes);
        }
    }

    /** One direction has ended with a FIN passed on; when both have, the connection is done. */
    void halfClosed(Relay.Direction direction) {
        if (direction == Relay.Direction.INBOUND) {
            inboundEnded = true;
        } else {
            outboundEnded = true;
        }
        if (inboundEnded && outboundEnded) {
            close();
        }
    }

    /** Whether this direction has ended, its FIN passed on to the other side. */
    boolean ended(Relay.Direction direction) {
        return direction == Relay.Direction.INBOUND ? inboundEnded : outboundEnded;
    }

    void failed(Throwable cause) {
        LOG.debug("failed: {} -> {} via {}: {}", client, endpoint, listener, cause.toString());
        close();
    }

    /** Closes both sides after flushing what is queued, and releases what was counted. Idempotent. */
    void close() {
        if (release()) {
            sides.close();
        }
    }

    /** Refuses the connection: closes both sides at once, the client with RST, and releases what was counted. */
    void reset() {
        if (release()) {
            sides.reset();
        }
    }

    /** Whether the connection was still open; if so, marks it closed and undoes what admitting it counted. */
    private boolean release() {
        if (closed) {
            return false;
        }
        closed = true;
        if (endpoint != null) {
            endpoint.closed();
            service.counters().closed();
            registry.unregister(this);
        }
        service.limits().release(clientIp);
        return true;
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the connection from any thread (a reload that denies it, a drain that ran out of time). */
    void closeFrom() {
        sides.executor().execute(this::close);
    }
}
