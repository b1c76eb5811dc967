package dev.portcullis.router;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listener on the epoll transport whose accepted connections are driven directly ({@link DirectConnection}).
 *
 * <p>One listening socket, added to every event loop's epoll set with {@code EPOLLEXCLUSIVE}: the kernel wakes one
 * loop that is waiting, that loop accepts, and the connection usually stays on it (no thundering herd; nginx's
 * {@code accept_mutex off} with {@code EPOLLEXCLUSIVE} works the same way). A loop busy relaying is not waiting, so
 * new connections go to the idle one; a loop that carries clearly more than another hands the new socket over
 * ({@link DirectLoops#place}). Unlike one {@code SO_REUSEPORT} socket per loop
 * (tried, see {@link TcpListener}), no address hash pins a connection to a loop.
 *
 * <p>An accept that fails for want of descriptors or memory would, level-triggered, wake the loop again at once; the
 * loop instead leaves the socket alone for a second (logged once per pause) and then takes it back.
 *
 * <p>Threading: {@link #bind} and {@link #close} run on the caller's thread and wait for the loops; each
 * {@link Acceptor} runs on its own loop.
 */
final class DirectTcpListener implements Listener {

    private static final Logger LOG = LoggerFactory.getLogger(DirectTcpListener.class);

    /** epoll's EPOLLEXCLUSIVE (Linux 4.5; not among Netty's constants). Allowed with EPOLL_CTL_ADD only. */
    private static final int EPOLLEXCLUSIVE = 1 << 28;
    private static final EpollIoOps ACCEPT_INTERESTS = EpollIoOps.valueOf(Native.EPOLLIN | EPOLLEXCLUSIVE);
    /** Connections accepted per wake-up before the loop turns to its other work (level-triggered: it comes back). */
    private static final int ACCEPTS_PER_WAKEUP = 64;

    private final ListenerKey key;
    private final LinuxSocket socket;
    private final List<Acceptor> acceptors = new ArrayList<>();

    private DirectTcpListener(ListenerKey key, LinuxSocket socket) {
        this.key = key;
        this.socket = socket;
    }

    /** Binds the listener and adds it to every one of {@code loops}; blocks until done. */
    static DirectTcpListener bind(DataPlane plane, DirectLoops loops, ListenerKey key)
            throws IOException, InterruptedException {
        InetSocketAddress address = Endpoint.socketAddress(key.address());
        LinuxSocket socket = LinuxSocket.newSocketStream(address.getAddress() instanceof Inet6Address);
        DirectTcpListener listener = new DirectTcpListener(key, socket);
        try {
            socket.setReuseAddress(true);
            // Accepted sockets inherit TCP_NODELAY from the listening one: set once here, not per connection.
            socket.setTcpNoDelay(true);
            socket.bind(address);
            socket.listen(4096);
            InetSocketAddress bound = socket.localAddress();
            InetSocketAddress local = address.getAddress().isAnyLocalAddress() ? null : bound;
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

    /** Takes the socket out of every loop, then closes it. Established connections go on. */
    @Override
    public void close() {
        for (Acceptor a : acceptors) {
            if (!a.home.loop().isShuttingDown()) {
                a.home.loop().submit(a::stop).syncUninterruptibly();
            }
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.warn("close: {}: {}", key, e.toString());
        }
    }

    /** The listening socket as one loop sees it. Runs on that loop. */
    private final class Acceptor implements EpollIoHandle {
        private final DirectLoops loops;
        private final DirectLoops.Loop home;
        private final TcpGate gate;
        /** The listener's own address, or null for a wildcard one (each connection's is then asked for). */
        private final InetSocketAddress local;
        /** Filled by accept: the length, then the client's address and port. */
        private final byte[] address = new byte[26];
        private IoRegistration registration;
        private boolean stopped;

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
            try {
                registration = home.loop().register(this).getNow();
                if (registration == null) {
                    throw new IllegalStateException("registering " + key + " on " + home.loop() + " did not complete");
                }
                registration.submit(ACCEPT_INTERESTS);
            } catch (RuntimeException e) {
                if (registration != null) {
                    registration.cancel();
                    registration = null;
                }
                throw e;
            }
        }

        void stop() {
            stopped = true;
            if (registration != null) {
                registration.cancel();
                registration = null;
            }
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            for (int i = 0; i < ACCEPTS_PER_WAKEUP && !stopped; i++) {
                int fd;
                try {
                    fd = socket.accept(address);
                } catch (IOException e) {
                    pause(e);
                    return;
                }
                if (fd < 0) {
                    return; // another loop took it, or none is left
                }
                InetSocketAddress client = NativeInetAddress.address(address, 1, address[0]);
                InetSocketAddress localAddress = local;
                if (localAddress == null) {
                    localAddress = localAddressOf(fd);
                    if (localAddress == null) {
                        continue;
                    }
                }
                loops.hand(home, DirectConnection::accepted, gate, fd, client, localAddress);
            }
        }

        /** A wildcard listener's connection: the address the client actually reached, or null (the socket closed). */
        private InetSocketAddress localAddressOf(int fd) {
            try {
                return home.sockets().localAddress(fd);
            } catch (IOException e) {
                LOG.debug("accept: {}: {}", key, e.toString());
                try {
                    new FileDescriptor(fd).close();
                } catch (IOException ignored) {
                    // nothing more to do for a socket that has no address
                }
                return null;
            }
        }

        /** Accept failed (EMFILE, ENOMEM...): leave the socket for a second rather than spin on it. */
        private void pause(IOException e) {
            LOG.warn("accept: {} failed on {}: {}; not accepting for 1 s", key, home.loop(), e.toString());
            if (registration != null) {
                registration.cancel();
                registration = null;
            }
            home.loop().schedule(this::start, 1, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            registration = null; // the loop is shutting down; the listener owns the socket
        }
    }
}
