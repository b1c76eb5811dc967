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

/**
 * Moves bytes from one side of a proxied connection to the other, with backpressure and half-close.
 *
 * <p>Backpressure by writability: this side reads while the other side is writable, that is while the other
 * channel's queue of unwritten bytes is under its high water mark. A write that takes the queue over the mark stops
 * this side's reading at once (auto-read off, which also ends the current read loop); when the other side drains
 * below its low water mark and becomes writable again, this side reads again. Memory per direction is therefore
 * bounded by the high water mark plus one read buffer, and a slow reader slows the writer. Writes are flushed
 * once per read loop, not per chunk. The buffer read is the buffer written: with the pooled direct allocator the
 * bytes never pass through the Java heap.
 *
 * <p>Why not one chunk in flight (read the next only after the previous write completed, as Netty's proxy example
 * does): it leaves both sockets idle between chunks. Measured with benchmarks/peers/run.sh on this 2-core machine,
 * single-stream throughput through the proxy was 3.9 Gbit/s that way, about half of HAProxy's and nginx's.
 *
 * <p>Half-close: when this side's input ends (the peer sent FIN) and every byte before it has been read, the other
 * side's output is shut down once the last write is done; the connection closes when both directions have ended,
 * or when either side closes or errs. When the second direction ends, its FIN is not passed alone: the connection
 * is closed at once (queued bytes are flushed first, and the close sends the FIN), which saves a shutdown call and
 * its bookkeeping per connection.
 *
 * <p>Every read marks the connection active; the data plane's idle sweep closes connections silent both ways for
 * their service's idle timeout (no timer per connection).
 *
 * <p>One instance per direction; it lives on the one event loop both channels share, so its fields need no
 * synchronisation.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    /** The relay's name in both pipelines (named, so Netty need not generate a name per connection). */
    static final String NAME = "relay";

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
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            connection.count(direction, buf.readableBytes());
        }
        connection.touch();
        other.write(msg, other.voidPromise()); // a failed write reaches the other side's exceptionCaught
        if (!other.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        other.flush();
    }

    /** This channel's writability changed: the other side, which writes into it, pauses or resumes reading. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        other.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The peer sent FIN. Read on: the transport says "read complete" once nothing is left, and only
            // then is the FIN passed on, so no byte received before the FIN can be left behind.
            if (!ctx.channel().config().isAutoRead()) {
                ctx.read();
            }
        } else if (evt instanceof ChannelInputShutdownReadComplete) {
            if (connection.ended(opposite(direction))) {
                // The other direction has ended already: both peers are done sending, so close (after what is
                // queued) rather than pass this FIN alone and close right after; the close sends the FIN.
                connection.close();
                return;
            }
            // Pass the FIN on after everything written so far.
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (other instanceof DuplexChannel d && other.isActive()) {
                    d.shutdownOutput().addListener((ChannelFutureListener) s -> connection.halfClosed(direction));
                } else {
                    connection.close();
                }
            });
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private static Direction opposite(Direction d) {
        return d == Direction.INBOUND ? Direction.OUTBOUND : Direction.INBOUND;
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
