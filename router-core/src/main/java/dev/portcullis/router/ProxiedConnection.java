package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted TCP connection: the client side, the endpoint side once connected, and what was counted against
 * limits and endpoints, so that closing undoes exactly that, once.
 *
 * <p>Threading: the frontend and backend channels share one event loop, and every method but {@link #closeFrom}
 * runs on it. {@code closed} is volatile because a reload may ask from the control thread; that path hops onto
 * the event loop.
 */
final class ProxiedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ProxiedConnection.class);

    final Channel frontend;
    final ListenerKey listener;
    final InetSocketAddress client;
    final InetSocketAddress local;
    final IpAddress clientIp;
    final ServiceRuntime service;
    private final ConnectionRegistry registry;

    /** Set on the event loop once the endpoint connection is up. */
    private Channel backend;
    private Endpoint endpoint;
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

    /** Where established connections are kept, for reload re-checks and draining. */
    interface ConnectionRegistry {
        void register(ProxiedConnection c);

        void unregister(ProxiedConnection c);
    }

    ProxiedConnection(ConnectionRegistry registry, Channel frontend, ListenerKey listener, InetSocketAddress client,
                      InetSocketAddress local, IpAddress clientIp, ServiceRuntime service) {
        this.registry = registry;
        this.frontend = frontend;
        this.listener = listener;
        this.client = client;
        this.local = local;
        this.clientIp = clientIp;
        this.service = service;
        this.idleNanos = service.service().timeouts().idle().toNanos();
    }

    /** Records the connected endpoint side and counts the connection as open. */
    void established(Channel backendChannel, Endpoint e) {
        this.backend = backendChannel;
        this.endpoint = e;
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
        if (closed) {
            return;
        }
        closed = true;
        flushAndClose(frontend);
        if (backend != null) {
            flushAndClose(backend);
            endpoint.closed();
            service.counters().closed();
            registry.unregister(this);
        }
        service.limits().release(clientIp);
    }

    /** Closes the connection from any thread (a reload that denies it, a drain that ran out of time). */
    void closeFrom() {
        frontend.eventLoop().execute(this::close);
    }

    private static void flushAndClose(Channel ch) {
        if (ch.isActive() && !(ch instanceof DuplexChannel d && d.isOutputShutdown())) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
