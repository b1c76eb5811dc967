package dev.portcullis.router;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * A bound TCP listener: accepts connections with auto-read off and gives each a {@link TcpAdmission}. The service
 * a connection belongs to is looked up by the listener's key in the state current at accept time, so a reload
 * that keeps the listener never rebinds it.
 *
 * <p>On epoll, one listening socket per event loop, all bound to the same address with {@code SO_REUSEPORT}: the
 * kernel spreads new connections over them, and each connection stays on the loop that accepted it, with the
 * endpoint side registered there too. With one shared socket, Netty hands every accepted connection to the next
 * loop of the group, which for all but one loop in N costs a task and a wake-up of the other thread per
 * connection. (On NIO, which has no {@code SO_REUSEPORT} option in Netty, one socket as before.)
 */
final class TcpListener implements Listener {

    /**
     * Per direction, a relayed connection queues at most this much unwritten data before it stops reading the
     * other side (see {@link Relay}); 64 KiB to 256 KiB keeps a socket's worth of data moving without letting one
     * connection hold megabytes.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private final ListenerKey key;
    private final List<Channel> channels;

    private TcpListener(ListenerKey key, List<Channel> channels) {
        this.key = key;
        this.channels = List.copyOf(channels);
    }

    /** Binds the listener (one socket per event loop on epoll); blocks until bound, and binds all or none. */
    static TcpListener bind(DataPlane plane, EventLoopGroup group, ListenerKey key) throws InterruptedException {
        List<Channel> bound = new ArrayList<>();
        try {
            if (plane.transport().supportsReusePort()) {
                for (EventExecutor loop : group) {
                    bound.add(bootstrap(plane, key, (EventLoop) loop)
                            .option(EpollChannelOption.SO_REUSEPORT, true)
                            .bind(Endpoint.socketAddress(key.address())).sync().channel());
                }
            } else {
                bound.add(bootstrap(plane, key, group).bind(Endpoint.socketAddress(key.address())).sync().channel());
            }
        } catch (InterruptedException | RuntimeException e) {
            bound.forEach(ch -> ch.close().syncUninterruptibly());
            throw e;
        }
        return new TcpListener(key, bound);
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
        channels.forEach(ch -> ch.close().syncUninterruptibly());
    }
}
