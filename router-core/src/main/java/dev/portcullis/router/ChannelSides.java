package dev.portcullis.router;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.EventExecutor;

/**
 * A proxied connection's two sides as Netty channels (the path {@link TcpAdmission} and {@link Relay} drive; on NIO,
 * and on epoll when {@code portcullis.tcp=channels} asks for it).
 *
 * <p>Threading: both channels share one event loop; the endpoint channel is set on it once connected.
 */
final class ChannelSides implements ProxiedConnection.Sides {

    private final Channel frontend;
    private Channel backend;

    ChannelSides(Channel frontend) {
        this.frontend = frontend;
    }

    /** The endpoint side is connected. */
    void established(Channel backendChannel) {
        this.backend = backendChannel;
    }

    @Override
    public EventExecutor executor() {
        return frontend.eventLoop();
    }

    @Override
    public void close() {
        flushAndClose(frontend);
        if (backend != null) {
            flushAndClose(backend);
        }
    }

    @Override
    public void reset() {
        frontend.config().setOption(ChannelOption.SO_LINGER, 0);
        frontend.close();
        if (backend != null) {
            backend.close();
        }
    }

    private static void flushAndClose(Channel ch) {
        if (ch.isActive() && !(ch instanceof DuplexChannel d && d.isOutputShutdown())) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
