package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
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
 * Decides, once, what happens to a new TCP connection on the Netty channel path, then removes itself: through the
 * listener's {@link TcpGate}, classify the real five-tuple with the current policy; drop (close at once) or reject
 * (close with RST); or admit within the service's limits, pick an endpoint, check it against the ClusterIP guard,
 * connect, and hand both sides to {@link Relay}.
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

    private final TcpGate gate;
    TcpAdmission(DataPlane plane, ListenerKey listener) {
        this.gate = new TcpGate(plane, listener);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        InetSocketAddress client = (InetSocketAddress) ch.remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        RouterState state = gate.plane().stateFor(gate.listener());
        IpAddress clientIp = Flows.ipAddress(client.getAddress());
        switch (gate.classify(state, client, local, clientIp)) {
            case DROP -> ch.close();
            case REJECT -> reset(ch);
            case ACCEPT -> {
                ChannelSides sides = new ChannelSides(ch);
                ProxiedConnection conn = gate.admit(state, sides, client, local, clientIp);
                if (conn == null) {
                    reset(ch);
                    return;
                }
                connect(ctx, state, conn, sides, EndpointSelector.hashClient(clientIp), 1, null);
            }
        }
    }

    private void connect(ChannelHandlerContext ctx, RouterState state, ProxiedConnection conn, ChannelSides sides,
                         long hash, int attempt, Endpoint failed) {
        Endpoint chosen = gate.choose(state, conn, hash, attempt, failed);
        if (chosen == null) {
            conn.reset();
            return;
        }
        ServiceRuntime service = conn.service;
        Channel front = ctx.channel();
        // The endpoint channel is made and registered by hand rather than through a Bootstrap: per connection that
        // saves copying the bootstrap's option and attribute maps, the resolver and a task hop before the connect.
        // Registration on this loop completes at once, since this runs on it.
        SocketChannel backendChannel = gate.plane().transport()
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
                gate.plane().counters().refused(service.counters(), RefusalReason.CONNECT_FAILED);
                conn.reset();
                return;
            }
            backendChannel.connect(chosen.socketAddress()).addListener(connected(ctx, state, conn, sides, hash,
                    attempt, chosen));
        });
    }

    /** What happens when the endpoint connection attempt completes: relay both ways, or try another endpoint. */
    private ChannelFutureListener connected(ChannelHandlerContext ctx, RouterState state, ProxiedConnection conn,
                                            ChannelSides sides, long hash, int attempt, Endpoint chosen) {
        Channel front = ctx.channel();
        return f -> {
            if (!front.isActive()) {
                f.channel().close();
                conn.close();
                return;
            }
            if (!f.isSuccess()) {
                f.channel().close();
                if (gate.connectFailed(conn, chosen, attempt, f.cause())) {
                    connect(ctx, state, conn, sides, hash, attempt + 1, chosen);
                } else {
                    conn.reset();
                }
                return;
            }
            Channel backend = f.channel();
            sides.established(backend);
            conn.established(chosen);
            if (conn.service.service().proxyProtocol()) {
                backend.write(ProxyProtocolV2.encode(backend.alloc(), conn.client, conn.local));
            }
            ctx.pipeline().replace(this, Relay.NAME, new Relay(backend, Relay.Direction.INBOUND, conn));
            backend.flush();
            front.config().setAutoRead(true);
        };
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
