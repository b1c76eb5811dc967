package dev.portcullis.router;

import dev.portcullis.policy.IoTransport;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport the data plane runs on: native epoll, io_uring when asked for, or NIO where neither is
 * available (see {@link #best()}).
 *
 * @param tcp how TCP connections are relayed: directly on the epoll loops ({@link DirectTcpListener},
 *            {@link DirectConnection}), with ring operations on the io_uring loops ({@link UringTcpListener},
 *            {@link UringConnection}), or through Netty channels ({@link TcpListener})
 */
public record NettyTransport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerSocketChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel,
                        Class<? extends DatagramChannel> datagramChannel,
                        TcpPath tcp) {

    /** How TCP connections are relayed; UDP and health checks always go through Netty channels. */
    public enum TcpPath {
        /** Netty channels and pipelines ({@link TcpAdmission}, {@link Relay}): NIO, or epoll when asked. */
        CHANNELS,
        /** Sockets driven directly on the epoll loops, readiness-based ({@link DirectConnection}). */
        EPOLL_DIRECT,
        /** Sockets driven with io_uring operations, completion-based ({@link UringConnection}). */
        IO_URING
    }

    /** Whether TCP bypasses Netty's channels (either direct path). */
    public boolean directTcp() {
        return tcp != TcpPath.CHANNELS;
    }

    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    /**
     * The transport the data plane runs on: native epoll where it is available, else NIO (said in the log). The system
     * property {@code portcullis.transport} may ask for {@code nio}, {@code epoll} or {@code io_uring} explicitly
     * (as {@link #configured} reads it).
     */
    public static NettyTransport best() {
        return configured(IoTransport.EPOLL);
    }

    /**
     * The transport {@code configured} in {@code appliance.yaml}, unless the system property
     * {@code portcullis.transport} names another (for side-by-side measurements; said in the log); with
     * {@link #named}'s fallbacks.
     */
    public static NettyTransport configured(IoTransport configured) {
        String property = System.getProperty("portcullis.transport");
        if (property != null && !property.equals(configured.word())) {
            if (IoTransport.ofWord(property).isEmpty()) {
                LOG.warn("configured: ignoring the portcullis.transport property '{}' (epoll, io_uring or nio); {}",
                        property, configured.word());
                return named(configured.word());
            }
            LOG.info("configured: transport {} from the portcullis.transport property, not {} as configured",
                    property, configured.word());
            return named(property);
        }
        return named(configured.word());
    }

    /**
     * The transport called {@code asked} ({@code epoll}, {@code io_uring} or {@code nio}), or the next best one
     * where it is unavailable, said in the log: io_uring falls back to epoll (a kernel without it, or with it
     * turned off by {@code kernel.io_uring_disabled} or a container's seccomp profile), epoll to NIO.
     *
     * <p>Epoll runs through {@link EpollKeepRegistered}, which works around Netty 4.2.18's loss of a half-closed
     * connection's epoll registration (the reason NIO was the default before it).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static NettyTransport named(String asked) {
        switch (asked) {
            case "nio" -> {
                LOG.info("best: NIO, as asked");
                return nio();
            }
            case "io_uring" -> {
                if (IoUring.isAvailable() && ValueLayout.ADDRESS.byteSize() == 8) {
                    return ioUring();
                }
                LOG.warn("best: io_uring is unavailable ({}); using epoll", IoUring.isAvailable()
                        ? ValueLayout.ADDRESS.byteSize() * 8 + "-bit addresses"
                        : String.valueOf(IoUring.unavailabilityCause()));
            }
            case "epoll" -> {
            }
            default -> throw new IllegalArgumentException(
                    "unknown transport '" + asked + "': expected epoll, io_uring or nio");
        }
        if (Epoll.isAvailable()) {
            return epoll();
        }
        LOG.warn("best: native epoll is unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        return nio();
    }

    /**
     * io_uring, TCP relayed with ring operations ({@link UringConnection}); UDP and health checks on Netty's io_uring
     * channels.
     */
    public static NettyTransport ioUring() {
        IoUring.ensureAvailability();
        return new NettyTransport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class, IoUringDatagramChannel.class, TcpPath.IO_URING);
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
                EpollSocketChannel.class, EpollDatagramChannel.class, directTcp ? TcpPath.EPOLL_DIRECT : TcpPath.CHANNELS);
    }

    public static NettyTransport nio() {
        return new NettyTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class,
                NioDatagramChannel.class, TcpPath.CHANNELS);
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
        if (socketChannel == IoUringSocketChannel.class) {
            return IoUringSocketChannel::new;
        }
        return NioSocketChannel::new;
    }

    private static final io.netty.channel.ChannelFactory<SocketChannel> EPOLL_INET =
            () -> new EpollSocketChannel(SocketProtocolFamily.INET);
    private static final io.netty.channel.ChannelFactory<SocketChannel> EPOLL_INET6 =
            () -> new EpollSocketChannel(SocketProtocolFamily.INET6);

    /**
     * A new event loop group of {@code threads} loops on this transport, their threads named {@code
     * data-plane-loop-0} and on (what {@code top -H}, {@code jstack} and {@code perf} show an operator).
     */
    public EventLoopGroup newGroup(int threads) {
        AtomicInteger next = new AtomicInteger();
        ThreadFactory names = task -> new FastThreadLocalThread(task, LOOP_THREAD_PREFIX + next.getAndIncrement());
        return new MultiThreadIoEventLoopGroup(threads, names, ioHandlerFactory);
    }

    /** How the event loop threads' names start. */
    static final String LOOP_THREAD_PREFIX = "data-plane-loop-";
}
