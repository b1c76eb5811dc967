package dev.portcullis.router;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

/**
 * A bound TCP listener: accepts connections with auto-read off and gives each a {@link TcpAdmission}. The service
 * a connection belongs to is looked up by the listener's key in the state current at accept time, so a reload
 * that keeps the listener never rebinds it.
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
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(plane.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, NettyTransport.allocator())
                .childOption(ChannelOption.ALLOCATOR, NettyTransport.allocator())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new TcpAdmission(plane, key));
                    }
                });
        Channel ch = b.bind(Endpoint.socketAddress(key.address())).sync().channel();
        return new TcpListener(key, ch);
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
