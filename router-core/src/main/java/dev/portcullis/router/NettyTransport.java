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
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.lang.foreign.ValueLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport the data plane runs on: native epoll, or NIO where epoll is unavailable (see {@link #best()}).
 *
 * @param directTcp whether TCP connections are relayed directly on the epoll loops ({@link DirectTcpListener},
 *                  {@link DirectConnection}) rather than through Netty channels ({@link TcpListener}); epoll only
 */
public record NettyTransport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerSocketChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel,
                        Class<? extends DatagramChannel> datagramChannel,
                        boolean directTcp) {

    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    /**
     * The transport the data plane runs on: native epoll where it is available, else NIO (said in the log). The system
     * property {@code portcullis.transport} may ask for {@code nio} or {@code epoll} explicitly.
     *
     * <p>Epoll runs through {@link EpollKeepRegistered}, which works around Netty 4.2.18's loss of a half-closed
     * connection's epoll registration (the reason NIO was the default before it).
     */
    public static NettyTransport best() {
        String asked = System.getProperty("portcullis.transport", "epoll");
        if (asked.equals("nio")) {
            LOG.info("best: NIO, as the portcullis.transport property asks");
            return nio();
        }
        if (Epoll.isAvailable()) {
            return epoll();
        }
        LOG.warn("best: native epoll is unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        return nio();
    }

    /**
     * Native epoll, TCP relayed directly on the event loops unless the system property {@code portcullis.tcp} is
     * {@code channels}, or the machine is not a 64-bit one (the direct path's {@link SocketCalls} pass buffer
     * addresses as 64-bit integers).
     */
    public static NettyTransport epoll() {
        if ("channels".equals(System.getProperty("portcullis.tcp"))) {
            return epoll(false);
        }
        if (ValueLayout.ADDRESS.byteSize() != 8) {
            LOG.warn("epoll: {}-bit addresses; TCP goes through Netty channels", ValueLayout.ADDRESS.byteSize() * 8);
            return epoll(false);
        }
        return epoll(true);
    }

    /** Native epoll, TCP relayed directly on the event loops or through Netty channels. */
    public static NettyTransport epoll(boolean directTcp) {
        Epoll.ensureAvailability();
        return new NettyTransport("epoll", new EpollKeepRegistered(EpollIoHandler.newFactory()), EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollDatagramChannel.class, directTcp);
    }

    public static NettyTransport nio() {
        return new NettyTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class,
                NioDatagramChannel.class, false);
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
     * otherwise run for every admitted connection. On epoll the socket is made in the endpoint's own address family,
     * so an IPv4 endpoint costs no dual-stack IPv6 socket (and no {@code IPV6_V6ONLY} call).
     */
    public io.netty.channel.ChannelFactory<SocketChannel> socketChannelFactory(boolean ipv6) {
        if (socketChannel == EpollSocketChannel.class) {
            return ipv6 ? EPOLL_INET6 : EPOLL_INET;
        }
        return NioSocketChannel::new;
    }

    private static final io.netty.channel.ChannelFactory<SocketChannel> EPOLL_INET =
            () -> new EpollSocketChannel(SocketProtocolFamily.INET);
    private static final io.netty.channel.ChannelFactory<SocketChannel> EPOLL_INET6 =
            () -> new EpollSocketChannel(SocketProtocolFamily.INET6);

    /** A new event loop group of {@code threads} loops on this transport. */
    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory);
    }
}
