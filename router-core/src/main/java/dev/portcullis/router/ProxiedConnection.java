package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
    /** When the endpoint side came up, in milliseconds since the epoch; set before the connection is registered. */
    private volatile long establishedMillis;
    private boolean inboundEnded;
    private boolean outboundEnded;
    private volatile boolean closed;

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
    }

    /** Records the connected endpoint side and counts the connection as open. */
    void established(Channel backendChannel, Endpoint e) {
        this.backend = backendChannel;
        this.endpoint = e;
        this.establishedMillis = System.currentTimeMillis();
        e.opened();
        service.counters().opened();
        registry.register(this);
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
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
