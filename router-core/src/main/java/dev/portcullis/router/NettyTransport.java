package dev.portcullis.router;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport the data plane runs on: NIO, or native epoll on request (see {@link #best()} for why NIO is
 * the default with Netty 4.2.18).
 */
public record NettyTransport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerSocketChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel,
                        Class<? extends DatagramChannel> datagramChannel) {

    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    /**
     * The transport the data plane runs on: NIO unless the system property {@code portcullis.transport=epoll} asks for
     * native epoll (which then must be available).
     *
     * <p>Why not epoll by default: with Netty 4.2.18's epoll transport, a relayed connection whose client has half-
     * closed (sent FIN) while the proxy still writes to it loses its registration in the epoll set ({@code
     * epoll_ctl(MOD) failed: ENOENT} when EPOLLOUT is needed), and Netty then fails the write and shuts the output:
     * the tail of the stream is lost. {@code DataPlaneTest.tcp_largeTransferToSlowReader_arrivesIntact} reproduces it
     * with {@code -Dportcullis.transport=epoll}, never with NIO (measured 2026-11-28: 4 of 8 epoll runs failed, 0 of 7
     * NIO runs; with the writability-based relay, 3 of 4 epoll runs failed). A proxy that truncates streams is worse
     * than a slower one; epoll stays selectable for measurement and comes back as the default once the test passes on
     * it.
     */
    public static NettyTransport best() {
        String asked = System.getProperty("portcullis.transport", "nio");
        if (asked.equals("epoll")) {
            if (Epoll.isAvailable()) {
                LOG.info("best: native epoll, as the portcullis.transport property asks");
                return epoll();
            }
            LOG.warn("best: native epoll is unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        }
        return nio();
    }

    public static NettyTransport epoll() {
        Epoll.ensureAvailability();
        return new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollDatagramChannel.class);
    }

    public static NettyTransport nio() {
        return new NettyTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class,
                NioDatagramChannel.class);
    }

    /**
     * The buffer allocator every data plane channel uses: Netty's pooled allocator with direct buffers.
     *
     * <p>Why not Netty 4.2's default (the adaptive allocator): on JDK 25 it allocated and freed native memory
     * segments on the relay's path, and single-stream iperf3 through the proxy measured 3.1-3.5 Gbit/s with it
     * against 6.8-8.8 Gbit/s with this one (same build, 3 runs each, 2-core machine, 2026-11-28).
     */
    public static io.netty.buffer.ByteBufAllocator allocator() {
        return io.netty.buffer.PooledByteBufAllocator.DEFAULT;
    }

    /**
     * Makes endpoint-side channels by a constructor reference rather than Netty's reflective factory, which would
     * otherwise run for every admitted connection. (With the endpoint-side relay handed to the bootstrap directly
     * instead of through an initializer: new connections/s through the proxy, wrk Connection: close, A/B twice,
     * warm runs 6.2-6.5k before and 6.3-7.3k after: within noise, so kept for its simplicity, not for speed.)
     */
    public io.netty.channel.ChannelFactory<SocketChannel> socketChannelFactory() {
        return socketChannel == EpollSocketChannel.class ? EpollSocketChannel::new : NioSocketChannel::new;
    }

    /** A new event loop group of {@code threads} loops on this transport. */
    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory);
    }
}
