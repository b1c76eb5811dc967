package dev.portcullis.router;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

/**
 * A bound TCP listener: accepts connections with auto-read off and gives each a {@link TcpAdmission}. The service
 * a connection belongs to is looked up by the listener's key in the state current at accept time, so a reload
 * that keeps the listener never rebinds it.
 *
 * <p>One listening socket; Netty hands accepted connections to the group's loops in turn. Tried and measured
 * against: one {@code SO_REUSEPORT} socket per loop (each connection stays on the loop that accepted it, no
 * cross-loop hand-off). The kernel then places connections by a hash of their addresses, so a few long streams
 * can land on one loop: 4 iperf3 streams through it measured 6.28, 11.40 and 5.92 Gbit/s against 9.42-10.88
 * with one socket, and new connections/s showed no gain within the noise (benchmarks/peers/run.sh, 10:41 UTC).
 */
final class TcpListener implements Listener {

    /**
     * Per direction, a relayed connection queues at most this much unwritten data before it stops reading the
     * other side (see {@link Relay}); 64 KiB to 256 KiB keeps a socket's worth of data moving without letting one
     * connection hold megabytes.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private final ListenerKey key;
    private final Channel channel;

    private TcpListener(ListenerKey key, Channel channel) {
        this.key = key;
        this.channel = channel;
    }

    /** Binds the listener; blocks until bound. */
    static TcpListener bind(DataPlane plane, EventLoopGroup group, ListenerKey key) throws InterruptedException {
        Channel ch = bootstrap(plane, key, group).bind(Endpoint.socketAddress(key.address())).sync().channel();
        return new TcpListener(key, ch);
    }

    /**
     * The server bootstrap: accepted connections start with auto-read off and half-closure allowed (TCP_NODELAY is
     * Netty's default for accepted and connected sockets alike).
     */
    private static ServerBootstrap bootstrap(DataPlane plane, ListenerKey key, EventLoopGroup group) {
        TcpAdmission admission = new TcpAdmission(plane, key);
        return new ServerBootstrap()
                .group(group)
                .channel(plane.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, NettyTransport.allocator())
                .childOption(ChannelOption.ALLOCATOR, NettyTransport.allocator())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(admission);
    }

    @Override
    public ListenerKey key() {
        return key;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
