package dev.portcullis.router;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.policy.Rule;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, once, what happens to a new TCP connection, then removes itself: classify the real five-tuple with the
 * current policy; drop (close at once) or reject (close with RST); or admit within the service's limits, pick an
 * endpoint, check it against the ClusterIP guard, connect, and hand both sides to {@link Relay}.
 *
 * <p>The client channel runs with auto-read off, so nothing is read from the client before the endpoint side is
 * connected. Runs on the client channel's event loop; the endpoint channel is registered on the same loop, so the
 * relay needs no locks.
 *
 * <p>One instance per listener, shared by its connections (it keeps no per-connection state: that lives in the
 * {@link ProxiedConnection} and the listeners it creates), set as the accepted channel's only handler and replaced
 * by the {@link Relay} once the endpoint side is up: two pipeline changes per connection fewer than an initializer
 * plus an add and a remove.
 */
@ChannelHandler.Sharable
final class TcpAdmission extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TcpAdmission.class);

    /** Endpoints tried for one connection before it is refused: the first choice, then one other. */
    private static final int MAX_ATTEMPTS = 2;

    private final DataPlane plane;
    private final ListenerKey listener;

    TcpAdmission(DataPlane plane, ListenerKey listener) {
        this.plane = plane;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        InetSocketAddress client = (InetSocketAddress) ch.remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        RouterState state = plane.stateFor(listener);
        IpAddress clientIp = Flows.ipAddress(client.getAddress());
        IpAddress localIp = Flows.ipAddress(local.getAddress());
        int rule = Flows.match(state.policy(), clientIp, localIp, client.getPort(), local.getPort(), IpProtocols.TCP);
        plane.counters().lookedUp();
        plane.recentFlows().record(clientIp, localIp, client.getPort(), local.getPort(), IpProtocols.TCP);
        state.counter(rule, plane.counters()).hit(System.currentTimeMillis());
        Action action = state.policy().action(rule);
        ServiceRuntime service = state.listeners().get(listener);
        ServiceCounters serviceCounters = service == null ? null : service.counters();
        if (rule >= 0) {
            Rule r = state.policy().policy().rules().get(rule);
            if (r.log()) {
                plane.decisionLog().log(r.name(), r.number(), action, IpProtocols.TCP, client, local,
                        service == null ? "" : service.name());
            }
        }
        switch (action) {
            case DROP -> {
                plane.counters().refused(serviceCounters, RefusalReason.POLICY_DROP);
                ch.close();
            }
            case REJECT -> {
                plane.counters().refused(serviceCounters, RefusalReason.POLICY_REJECT);
                reset(ch);
            }
            case ACCEPT -> admit(ctx, state, service, client, local, clientIp);
        }
    }

    private void admit(ChannelHandlerContext ctx, RouterState state, ServiceRuntime service,
                       InetSocketAddress client, InetSocketAddress local, IpAddress clientIp) {
        Channel ch = ctx.channel();
        if (service == null) {
            // The listener is being removed by a reload; its service is gone.
            plane.counters().refused(null, RefusalReason.NO_HEALTHY_ENDPOINT);
            reset(ch);
            return;
        }
        RefusalReason limited = service.limits().tryAdmit(clientIp, System.nanoTime());
        if (limited != null) {
            plane.counters().refused(service.counters(), limited);
            reset(ch);
            return;
        }
        ProxiedConnection conn = new ProxiedConnection(plane.registry(), ch, listener, client, local, clientIp, service);
        long hash = EndpointSelector.hashClient(clientIp);
        connect(ctx, state, conn, hash, 1, null);
    }

    private void connect(ChannelHandlerContext ctx, RouterState state, ProxiedConnection conn, long hash,
                         int attempt, Endpoint failed) {
        ServiceRuntime service = conn.service;
        Endpoint e = service.selector().select(hash);
        if (e != null && e == failed) {
            e = service.selector().select(hash ^ 0x9E37_79B9_7F4A_7C15L);
        }
        if (e == null || e == failed) {
            // After a failed attempt the reason was counted already (connect failure or guard).
            if (failed == null) {
                plane.counters().refused(service.counters(), RefusalReason.NO_HEALTHY_ENDPOINT);
            }
            refuse(conn);
            return;
        }
        if (state.guard().refuses(e.socketAddress().getAddress())) {
            LOG.error("connect: refusing endpoint {} of service {}: it lies in a service CIDR (ClusterIP guard)",
                    e.address(), service.name());
            plane.counters().refused(service.counters(), RefusalReason.CLUSTER_IP_GUARD);
            if (attempt < MAX_ATTEMPTS) {
                connect(ctx, state, conn, hash, attempt + 1, e);
            } else {
                refuse(conn);
            }
            return;
        }
        Channel front = ctx.channel();
        Endpoint chosen = e;
        // The endpoint channel is made and registered by hand rather than through a Bootstrap: per connection that
        // saves copying the bootstrap's option and attribute maps, the resolver and a task hop before the connect.
        // Registration on this loop completes at once, since this runs on it.
        SocketChannel backendChannel = plane.transport()
                .socketChannelFactory(chosen.socketAddress().getAddress() instanceof Inet6Address).newChannel();
        SocketChannelConfig config = backendChannel.config();
        config.setAllocator(NettyTransport.allocator());
        config.setAutoRead(false);
        config.setAllowHalfClosure(true);
        config.setWriteBufferWaterMark(TcpListener.WATER_MARK);
        config.setConnectTimeoutMillis(
                (int) Math.min(Integer.MAX_VALUE, service.service().timeouts().connect().toMillis()));
        backendChannel.pipeline().addLast(Relay.NAME, new Relay(front, Relay.Direction.OUTBOUND, conn));
        front.eventLoop().register(backendChannel).addListener((ChannelFutureListener) registered -> {
            if (!registered.isSuccess()) {
                backendChannel.close();
                LOG.warn("connect: registering a channel for {} failed: {}", chosen.address(),
                        registered.cause().toString());
                plane.counters().refused(service.counters(), RefusalReason.CONNECT_FAILED);
                refuse(conn);
                return;
            }
            backendChannel.connect(chosen.socketAddress()).addListener(connected(ctx, state, conn, hash, attempt,
                    chosen));
        });
    }

    /** What happens when the endpoint connection attempt completes: relay both ways, or try another endpoint. */
    private ChannelFutureListener connected(ChannelHandlerContext ctx, RouterState state, ProxiedConnection conn,
                                            long hash, int attempt, Endpoint chosen) {
        Channel front = ctx.channel();
        ServiceRuntime service = conn.service;
        return f -> {
            if (!front.isActive()) {
                f.channel().close();
                conn.close();
                return;
            }
            if (!f.isSuccess()) {
                f.channel().close();
                chosen.connectFailed();
                LOG.debug("connect: {} failed for {}: {}", chosen.address(), conn.client, f.cause().toString());
                plane.counters().refused(service.counters(), RefusalReason.CONNECT_FAILED);
                if (attempt < MAX_ATTEMPTS) {
                    connect(ctx, state, conn, hash, attempt + 1, chosen);
                } else {
                    refuse(conn);
                }
                return;
            }
            Channel backend = f.channel();
            conn.established(backend, chosen);
            if (service.service().proxyProtocol()) {
                backend.write(ProxyProtocolV2.encode(backend.alloc(), conn.client, conn.local));
            }
            ctx.pipeline().replace(this, Relay.NAME, new Relay(backend, Relay.Direction.INBOUND, conn));
            backend.flush();
            front.config().setAutoRead(true);
        };
    }

    /** Refuses an admitted connection: resets the client and releases what admission counted. */
    private static void refuse(ProxiedConnection conn) {
        conn.frontend.config().setOption(ChannelOption.SO_LINGER, 0);
        conn.close();
    }

    /** Closes with RST rather than FIN, so the client learns at once that it was refused. */
    private static void reset(Channel ch) {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
        ch.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("exceptionCaught: {} before admission: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
