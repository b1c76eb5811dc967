package dev.portcullis.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Moves bytes from one side of a proxied connection to the other, with backpressure and half-close.
 *
 * <p>Backpressure: both channels run with auto-read off; this side reads its next chunk only after the write of
 * the previous one to the other side completed, so a slow reader slows the writer and at most one chunk per
 * direction is in flight (memory per connection stays bounded). The buffer read is the buffer written: with the
 * pooled direct allocator the bytes never pass through the Java heap.
 *
 * <p>Half-close: when this side's input ends (the peer sent FIN) and every byte before it has been read, the other
 * side's output is shut down once the last write is done; the connection closes when both directions have ended, or when either side closes or errs.
 *
 * <p>One instance per direction; it lives on the one event loop both channels share, so its fields need no
 * synchronisation.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    private final Channel other;
    private final Direction direction;
    private final ProxiedConnection connection;

    enum Direction {
        /** Client to endpoint: bytes counted "in". */
        INBOUND,
        /** Endpoint to client: bytes counted "out". */
        OUTBOUND
    }

    Relay(Channel other, Direction direction, ProxiedConnection connection) {
        this.other = other;
        this.direction = direction;
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            connection.count(direction, buf.readableBytes());
        }
        other.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            } else {
                connection.close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The peer sent FIN. Read on: the transport says "read complete" once nothing is left, and only
            // then is the FIN passed on, so no byte received before the FIN can be left behind.
            ctx.read();
        } else if (evt instanceof ChannelInputShutdownReadComplete) {
            // Pass the FIN on after everything written so far.
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (other instanceof DuplexChannel d && other.isActive()) {
                    d.shutdownOutput().addListener((ChannelFutureListener) s -> connection.halfClosed(direction));
                } else {
                    connection.close();
                }
            });
        } else if (evt instanceof IdleStateEvent) {
            connection.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.failed(cause);
    }
}
