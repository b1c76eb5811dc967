package dev.portcullis.router;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listener on the io_uring transport whose accepted connections are driven with ring operations
 * ({@link UringConnection}).
 *
 * <p>One listening socket; every event loop keeps one accept operation pending on it, with room for the client's
 * address, and submits the next one as each completes. The kernel completes the waiting accepts in turn, so new
 * connections spread over the loops; a loop that carries clearly more than another still hands the new socket over
 * ({@link DirectLoops#place}), as on the epoll path.
 *
 * <p>An accept that fails for want of descriptors or memory is not submitted again for a second (logged once per
 * pause), rather than failing again at once.
 *
 * <p>Threading: {@link #bind} and {@link #close} run on the caller's thread and wait for the loops; each
 * {@link Acceptor} runs on its own loop.
 */
final class UringTcpListener implements Listener {

    private static final Logger LOG = LoggerFactory.getLogger(UringTcpListener.class);

    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ECONNABORTED = 103;
    /** Room for the client's address (a struct sockaddr_in6) and, after it, its length. */
    private static final int ADDRESS_BYTES = SocketCalls.SOCKADDR_BYTES;
    private static final int LENGTH_OFFSET = 32;

    private final ListenerKey key;
    private final FileDescriptor socket;
    private final List<Acceptor> acceptors = new ArrayList<>();

    private UringTcpListener(ListenerKey key, FileDescriptor socket) {
        this.key = key;
        this.socket = socket;
    }

    /** Binds the listener and starts accepting on every one of {@code loops}; blocks until done. */
    static UringTcpListener bind(DataPlane plane, DirectLoops loops, ListenerKey key)
            throws IOException, InterruptedException {
        InetSocketAddress address = Endpoint.socketAddress(key.address());
        // Made here, off the loops (each loop's SocketCalls is for that loop only); blocking, as ring operations want
        SocketCalls calls = new SocketCalls();
        FileDescriptor socket = new FileDescriptor(calls.newBlockingStreamSocket(SocketCalls.family(address)));
        UringTcpListener listener = new UringTcpListener(key, socket);
        try {
            calls.listen(socket.intValue(), address, 4096);
            InetSocketAddress local = address.getAddress().isAnyLocalAddress() ? null : calls.localAddress(socket.intValue());
            TcpGate gate = new TcpGate(plane, key);
            for (DirectLoops.Loop l : loops.loops()) {
                Acceptor a = listener.new Acceptor(loops, l, gate, local);
                listener.acceptors.add(a);
                l.loop().submit(a::start).sync();
            }
            return listener;
        } catch (IOException | InterruptedException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    @Override
    public ListenerKey key() {
        return key;
    }

    /** Stops every loop's accepting (waiting until each pending accept has ended), then closes the socket. */
    @Override
    public void close() {
        for (Acceptor a : acceptors) {
            if (!a.home.loop().isShuttingDown()) {
                Promise<Void> stopped = a.home.loop().newPromise();
                a.home.loop().execute(() -> a.stop(stopped));
                if (!stopped.awaitUninterruptibly(5, TimeUnit.SECONDS)) {
                    LOG.warn("close: {}: the accept on {} did not end within 5 s", key, a.home.loop());
                }
            }
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.warn("close: {}: {}", key, e.toString());
        }
    }

    /** The listening socket as one loop sees it: one accept pending at a time. Runs on that loop. */
    private final class Acceptor implements IoUringIoHandle {
        private final DirectLoops loops;
        private final DirectLoops.Loop home;
        private final TcpGate gate;
        /** The listener's own address, or null for a wildcard one (each connection's is then asked for). */
        private final InetSocketAddress local;
        private IoRegistration registration;
        /** Where the kernel writes the client's address and its length; held while an accept may be pending. */
        private ByteBuf memory;
        private MemorySegment addressSegment;
        /** The pending accept's ring identity, or 0. */
        private long pending;
        private boolean stopped;
        /** Completed when a stop has seen the pending accept end. */
        private Promise<Void> stopping;

        Acceptor(DirectLoops loops, DirectLoops.Loop home, TcpGate gate, InetSocketAddress local) {
            this.loops = loops;
            this.home = home;
            this.gate = gate;
            this.local = local;
        }

        void start() {
            if (stopped || registration != null) {
                return;
            }
            registration = home.loop().register(this).getNow();
            if (registration == null) {
                throw new IllegalStateException("registering " + key + " on " + home.loop() + " did not complete");
            }
            memory = NettyTransport.allocator().directBuffer(64, 64);
            addressSegment = MemorySegment.ofAddress(UringConnection.addressOf(memory)).reinterpret(64);
            arm();
        }

        private void arm() {
            if (stopped || pending != 0) {
                return;
            }
            addressSegment.set(ValueLayout.JAVA_INT, LENGTH_OFFSET, ADDRESS_BYTES);
            long at = addressSegment.address();
            pending = registration.submit(new IoUringIoOps(UringConnection.OP_ACCEPT, (byte) 0, (short) 0,
                    socket.intValue(), at + LENGTH_OFFSET, at, 0, SOCK_CLOEXEC, (short) 0, (short) 0, (short) 0, 0, 0L));
        }

        /** Ends accepting on this loop; {@code done} completes once no accept is pending. */
        void stop(Promise<Void> done) {
            stopped = true;
            stopping = done;
            if (pending != 0) {
                registration.submit(new IoUringIoOps(UringConnection.OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0,
                        pending, 0, 0, (short) 1, (short) 0, (short) 0, 0, 0L));
                return; // finished when the accept's completion arrives
            }
            finish();
        }

        private void finish() {
            if (registration != null) {
                registration.cancel();
                registration = null;
            }
            if (memory != null) {
                memory.release();
                memory = null;
            }
            if (stopping != null) {
                stopping.trySuccess(null);
            }
        }

        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            if (e.opcode() != UringConnection.OP_ACCEPT) {
                return; // the cancel's own completion
            }
            pending = 0;
            int res = e.res();
            if (stopped) {
                if (res >= 0) {
                    closeQuietly(res); // accepted as the listener was being removed: it goes with the backlog
                }
                finish();
                return;
            }
            if (res < 0) {
                failed(-res);
                return;
            }
            InetSocketAddress client;
            try {
                client = SocketCalls.decode(addressSegment, "accept");
            } catch (IOException ex) {
                LOG.debug("accept: {}: {}", key, ex.toString());
                closeQuietly(res);
                arm();
                return;
            }
            arm();
            dispatch(res, client);
        }

        private void dispatch(int fd, InetSocketAddress client) {
            InetSocketAddress localAddress = local;
            if (localAddress == null) {
                try {
                    localAddress = home.sockets().localAddress(fd);
                } catch (IOException ex) {
                    LOG.debug("accept: {}: {}", key, ex.toString());
                    closeQuietly(fd);
                    return;
                }
            }
            loops.hand(home, UringConnection::accepted, gate, fd, client, localAddress);
        }

        /** An accept failed: again at once for a passing error, after a second for want of descriptors or memory. */
        private void failed(int errno) {
            if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED || errno == UringConnection.ECANCELED) {
                arm();
                return;
            }
            LOG.warn("accept: {} failed on {}: {}; not accepting for 1 s", key, home.loop(), SocketCalls.errnoName(errno));
            home.loop().schedule(this::arm, 1, TimeUnit.SECONDS);
        }

        private void closeQuietly(int fd) {
            try {
                new FileDescriptor(fd).close();
            } catch (IOException ignored) {
                // nothing more to do for a socket nobody will use
            }
        }

        /** The loop is shutting down: the pending accept is cancelled, and the memory let go when it ends. */
        @Override
        public void close() {
            if (!stopped) {
                stop(home.loop().newPromise());
            }
        }
    }
}
