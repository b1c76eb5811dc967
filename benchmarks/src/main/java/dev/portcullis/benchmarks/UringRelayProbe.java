package dev.portcullis.benchmarks;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.EventExecutor;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;

/**
 * A measuring probe, not part of the appliance: the bare TCP relay of the direct path, rebuilt on Netty's io_uring
 * event loop with every receive, send, connect, shutdown and close submitted as a ring operation, to measure how
 * much CPU per kept-alive request and per new connection that design would save against the epoll path on the same
 * machine (docs/performance.md, "Seventh session"). It does no classification, limits, timeouts, counters or error
 * reporting: it relays every connection on 127.0.0.1:PORT to one IPv4 endpoint and closes both sides on any error.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     dev.portcullis.benchmarks.UringRelayProbe PORT ENDPOINT_IP ENDPOINT_PORT LOOPS MODE
 * </pre>
 *
 * <p>MODE {@code poll}: each side waits with a one-shot poll, then a receive into a buffer taken from the pooled
 * allocator for that receive and returned once the send of its bytes has completed; an idle connection holds no
 * buffer (the bounded-memory design a product path would need). MODE {@code recv}: a receive is always posted into a
 * buffer each side keeps (one ring round trip less per message, 2 x 32 KiB held by every idle connection).
 *
 * <p>Threading: each connection lives on the loop whose accept produced it; its fields are touched only there.
 */
public final class UringRelayProbe {

    private static final byte OP_POLL_ADD = 6;
    private static final byte OP_ACCEPT = 13;
    private static final byte OP_CONNECT = 16;
    private static final byte OP_ASYNC_CANCEL = 14;
    private static final byte OP_CLOSE = 19;
    private static final byte OP_SEND = 26;
    private static final byte OP_RECV = 27;
    private static final byte OP_SHUTDOWN = 34;
    private static final short IORING_ACCEPT_MULTISHOT = 1;
    private static final int IORING_CQE_F_MORE = 2;
    private static final int POLLIN = 1;
    private static final int POLLRDHUP = 0x2000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SHUT_WR = 1;
    /** IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD: every operation still pending on a descriptor. */
    private static final int CANCEL_ALL_ON_FD = 1 | 2;
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int BUFFER = 32 * 1024;
    /** Completion tags (the 16-bit data of each operation): side * 8 + operation. */
    private static final int POLLED = 1;
    private static final int RECEIVED = 2;
    private static final int SENT = 3;
    private static final int SHUT = 4;
    private static final int CLOSED = 5;
    private static final int CONNECTED = 7;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = downcall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = downcall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = downcall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            downcall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);

    private final MemorySegment endpoint;
    private final boolean pollFirst;
    /** An int 1, for setsockopt. */
    private final MemorySegment one;

    private UringRelayProbe(MemorySegment endpoint, boolean pollFirst, MemorySegment one) {
        this.endpoint = endpoint;
        this.pollFirst = pollFirst;
        this.one = one;
    }

    public static void main(String[] args) throws Throwable {
        if (args.length != 5 || !(args[4].equals("poll") || args[4].equals("recv"))) {
            System.err.println("usage: UringRelayProbe PORT ENDPOINT_IP ENDPOINT_PORT LOOPS poll|recv");
            System.exit(2);
        }
        Arena arena = Arena.global();
        MemorySegment one = arena.allocate(JAVA_INT);
        one.set(JAVA_INT, 0, 1);
        UringRelayProbe probe = new UringRelayProbe(
                sockaddr(arena, InetAddress.getByName(args[1]), Integer.parseInt(args[2])), args[4].equals("poll"), one);
        int listening = probe.listen(arena, Integer.parseInt(args[0]));
        MultiThreadIoEventLoopGroup group =
                new MultiThreadIoEventLoopGroup(Integer.parseInt(args[3]), IoUringIoHandler.newFactory());
        java.util.List<IoEventLoop> loops = new java.util.ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((IoEventLoop) e);
        }
        IoEventLoop first = loops.getFirst();
        first.submit(() -> probe.new Acceptor(first, listening, loops).start()).sync();
        System.out.println("UringRelayProbe: relaying 127.0.0.1:" + args[0] + " to " + args[1] + ":" + args[2]
                + " on " + args[3] + " io_uring loops, mode " + args[4]);
        Thread.currentThread().join();
    }

    private int listen(Arena arena, int port) throws Throwable {
        int fd = (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM, 0);
        int rc = (int) SETSOCKOPT.invokeExact(fd, 1, 2, one, 4); // SO_REUSEADDR
        rc |= (int) SETSOCKOPT.invokeExact(fd, 6, 1, one, 4); // TCP_NODELAY, inherited by accepted sockets
        rc |= (int) BIND.invokeExact(fd, sockaddr(arena, InetAddress.getLoopbackAddress(), port), 16);
        rc |= (int) LISTEN.invokeExact(fd, 4096);
        if (fd < 0 || rc != 0) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port);
        }
        return fd;
    }

    private static MemorySegment sockaddr(Arena arena, InetAddress ip, int port) {
        if (!(ip instanceof Inet4Address)) {
            throw new IllegalArgumentException("IPv4 only: " + ip);
        }
        MemorySegment s = arena.allocate(16, 8);
        s.set(JAVA_SHORT, 0, (short) AF_INET);
        s.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
        MemorySegment.copy(ip.getAddress(), 0, s, JAVA_BYTE, 4, 4);
        return s;
    }

    private static MethodHandle downcall(String name, ValueLayout result, ValueLayout... arguments) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(result, arguments));
    }

    private static IoUringIoOps op(byte opcode, short ioPrio, int fd, long union1, long address, int length,
                                   int opFlags, int tag) {
        return new IoUringIoOps(opcode, (byte) 0, ioPrio, fd, union1, address, length, opFlags, (short) tag, (short) 0,
                (short) 0, 0, 0);
    }

    /**
     * The listening socket, on the first loop: a multishot accept, re-armed when the kernel ends it. Accepted
     * connections are dealt to the loops in turn. (With one multishot accept per ring, the kernel gave every
     * connection to the same ring: one loop did all the work.)
     */
    private final class Acceptor implements IoUringIoHandle {
        private final IoEventLoop loop;
        private final int listening;
        private final java.util.List<IoEventLoop> loops;
        private IoRegistration registration;
        private int next;

        Acceptor(IoEventLoop loop, int listening, java.util.List<IoEventLoop> loops) {
            this.loop = loop;
            this.listening = listening;
            this.loops = loops;
        }

        void start() {
            registration = loop.register(this).getNow();
            arm();
        }

        private void arm() {
            registration.submit(op(OP_ACCEPT, IORING_ACCEPT_MULTISHOT, listening, 0, 0, 0, 0, 0));
        }

        @Override
        public void handle(IoRegistration r, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            if (e.res() >= 0) {
                int client = e.res();
                IoEventLoop to = loops.get(next++ % loops.size());
                if (to == loop) {
                    start(to, client);
                } else {
                    to.execute(() -> start(to, client));
                }
            }
            if ((e.flags() & IORING_CQE_F_MORE) == 0) {
                arm();
            }
        }

        private void start(IoEventLoop on, int client) {
            Connection c = new Connection(client);
            c.registration = on.register(c).getNow();
            c.connect();
        }

        @Override
        public void close() {
        }
    }

    /** One relayed connection: side 0 the client, side 1 the endpoint; bytes read from a side go to the other. */
    private final class Connection implements IoUringIoHandle {
        private final int[] fd = new int[2];
        private final ByteBuf[] buffer = new ByteBuf[2];
        private final int[] length = new int[2];
        private final int[] sent = new int[2];
        private final boolean[] ended = new boolean[2];
        /** Whether a receive into {@code buffer[side]} is pending: the buffer may not be returned before it ends. */
        private final boolean[] receiving = new boolean[2];
        private IoRegistration registration;
        private boolean closing;
        private int closed;

        Connection(int client) {
            fd[0] = client;
        }

        void connect() {
            try {
                fd[1] = (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM, 0);
                if (fd[1] < 0) { // out of descriptors: the client is closed (the close of -1 just fails)
                    closeBoth();
                    return;
                }
                // TCP_NODELAY; should it fail, the relay still works, only small writes may wait for an ACK
                int ignored = (int) SETSOCKOPT.invokeExact(fd[1], 6, 1, one, 4);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            registration.submit(op(OP_CONNECT, (short) 0, fd[1], 16, endpoint.address(), 0, 0, CONNECTED));
        }

        private void await(int side) {
            if (pollFirst) {
                registration.submit(op(OP_POLL_ADD, (short) 0, fd[side], 0, 0, 0, POLLIN | POLLRDHUP, side * 8 + POLLED));
            } else {
                receive(side);
            }
        }

        private void receive(int side) {
            if (buffer[side] == null) {
                buffer[side] = PooledByteBufAllocator.DEFAULT.directBuffer(BUFFER, BUFFER);
            }
            receiving[side] = true;
            registration.submit(op(OP_RECV, (short) 0, fd[side], 0, buffer[side].memoryAddress(), BUFFER, 0,
                    side * 8 + RECEIVED));
        }

        private void send(int side) {
            registration.submit(op(OP_SEND, (short) 0, fd[1 - side], 0, buffer[side].memoryAddress() + sent[side],
                    length[side] - sent[side], MSG_NOSIGNAL, side * 8 + SENT));
        }

        private void closeBoth() {
            if (closing) {
                return;
            }
            closing = true;
            for (int side = 0; side < 2; side++) {
                // A pending poll or receive holds the socket open: cancel them first (same batch, in order).
                registration.submit(op(OP_ASYNC_CANCEL, (short) 0, fd[side], 0, 0, 0, CANCEL_ALL_ON_FD, 0));
                registration.submit(op(OP_CLOSE, (short) 0, fd[side], 0, 0, 0, 0, side * 8 + CLOSED));
            }
        }

        @Override
        public void handle(IoRegistration r, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            int tag = e.data();
            int res = e.res();
            if (tag == CONNECTED) {
                if (res < 0) {
                    closeBoth();
                } else {
                    await(0);
                    await(1);
                }
                return;
            }
            int side = tag / 8;
            switch (tag % 8) {
                case POLLED -> {
                    if (!closing) {
                        receive(side);
                    }
                }
                case RECEIVED -> received(side, res);
                case SENT -> {
                    if (closing) {
                        return;
                    }
                    if (res < 0) {
                        closeBoth();
                        return;
                    }
                    sent[side] += res;
                    if (sent[side] < length[side]) {
                        send(side);
                        return;
                    }
                    if (pollFirst) { // nothing in flight uses it now: an idle side holds no buffer
                        buffer[side].release();
                        buffer[side] = null;
                    }
                    await(side);
                }
                case CLOSED -> {
                    if (++closed == 2) {
                        for (int s = 0; s < 2; s++) {
                            releaseUnlessReceiving(s);
                        }
                        registration.cancel();
                    }
                }
                default -> {
                }
            }
        }

        private void releaseUnlessReceiving(int side) {
            if (buffer[side] != null && !receiving[side]) {
                buffer[side].release();
                buffer[side] = null;
            }
        }

        private void received(int side, int res) {
            receiving[side] = false;
            if (closing) {
                releaseUnlessReceiving(side);
                return;
            }
            if (res > 0) {
                length[side] = res;
                sent[side] = 0;
                send(side);
            } else if (res == 0) {
                ended[side] = true;
                if (ended[1 - side]) {
                    closeBoth();
                } else {
                    registration.submit(op(OP_SHUTDOWN, (short) 0, fd[1 - side], 0, 0, SHUT_WR, 0, side * 8 + SHUT));
                }
            } else {
                closeBoth();
            }
        }

        @Override
        public void close() {
        }
    }
}
