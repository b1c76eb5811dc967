package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied TCP connection driven directly on Netty's epoll event loop: two sockets registered as
 * {@link EpollIoHandle}s, no channel or pipeline. This is the data plane's TCP path on the epoll transport (the
 * Netty channel path, {@link TcpAdmission} and {@link Relay}, is the one on NIO).
 *
 * <p>Why: a new connection through Netty channels cost about 37 system calls and two channels' worth of objects
 * and pipeline events, twice nginx's CPU per connection (docs/performance.md). Here each socket is added to epoll
 * once with every interest it will ever need, edge-triggered ({@code EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET}), and
 * leaves it by being closed; readiness is remembered in two flags per socket, as nginx does. A socket is a bare
 * {@link FileDescriptor} (closed through it); every other call goes through the loop's {@link SocketCalls}, so no
 * call is made that the connection does not need.
 *
 * <p>Relay, per direction: read up to {@link #BUFFER} bytes into the event loop's scratch buffer (direct memory:
 * the bytes never enter the Java heap) and write them to the other socket at once. Only what the other socket cannot
 * take now is copied into a buffer of the direction's own, from the pooled allocator, and reading that way stops
 * until the other socket is writable again and that buffer is written out: a slow reader slows the writer, at most
 * one buffer per direction is held, and an idle connection holds none. A short read means the socket is drained
 * (edge-triggered epoll reports the next data as a new edge), unless the peer's FIN has been seen
 * ({@code EPOLLRDHUP}): then reading goes on until end of stream.
 *
 * <p>Half-close: when one side's input ends and everything read before it is written, the other side's output is
 * shut ({@code shutdown(SHUT_WR)}); when the second direction ends the sockets are closed, and the close sends that
 * FIN. An error on either socket (reset, refused write) closes both, the other side with RST, as the peer's abort is
 * passed on.
 *
 * <p>Connecting: the client socket is registered at once, but nothing is read from it before the endpoint side is
 * up; its readiness is remembered. A refused or timed-out connect tries one other endpoint ({@link TcpGate}).
 *
 * <p>Threading: every method but {@link #executor} runs on the connection's event loop, so no field needs
 * synchronisation; other threads close through {@link ProxiedConnection#closeFrom}.
 */
final class DirectConnection implements ProxiedConnection.Sides {

    private static final Logger LOG = LoggerFactory.getLogger(DirectConnection.class);

    /** Bytes read at most at once per direction; also the most a stalled direction holds. */
    static final int BUFFER = 32 * 1024;

    /** Every interest a relayed socket has, added once: edge-triggered, so readiness is reported as it changes. */
    private static final EpollIoOps INTERESTS =
            EpollIoOps.valueOf(Native.EPOLLIN | Native.EPOLLOUT | Native.EPOLLRDHUP | Native.EPOLLET);
    /** epoll's EPOLLHUP (not among Netty's constants): both directions are shut. */
    private static final int EPOLLHUP = 0x10;
    private static final int READABLE = Native.EPOLLIN | Native.EPOLLRDHUP | Native.EPOLLERR | EPOLLHUP;
    private static final int WRITABLE = Native.EPOLLOUT | Native.EPOLLERR | EPOLLHUP;

    private final TcpGate gate;
    private final RouterState state;
    /** The loop the connection runs on, with its scratch buffer (used only there, never held between calls). */
    private final DirectLoops.Loop home;
    private final Side client;
    private final Pipe inbound = new Pipe(Relay.Direction.INBOUND);
    private final Pipe outbound = new Pipe(Relay.Direction.OUTBOUND);
    private ProxiedConnection conn;
    private Side endpoint;
    private Endpoint chosen;
    private int attempt;
    private long hash;
    private ScheduledFuture<?> connectTimeout;
    private boolean connecting;
    private boolean closed;

    private DirectConnection(TcpGate gate, RouterState state, DirectLoops.Loop home, FileDescriptor clientSocket) {
        this.gate = gate;
        this.state = state;
        this.home = home;
        this.client = new Side(clientSocket);
    }

    /**
     * A direct buffer of {@link #BUFFER} bytes that one event loop's connections read into (see {@link #move}), and
     * where its memory starts: the native reads and writes take addresses, not buffers.
     */
    record Scratch(ByteBuffer buffer, long address) {
        static Scratch allocate() {
            ByteBuffer b = ByteBuffer.allocateDirect(BUFFER);
            return new Scratch(b, Buffer.memoryAddress(b));
        }
    }

    /**
     * Takes over a socket the listener has just accepted, on {@code home}'s loop, where it has been counted
     * ({@link DirectLoops#place}): classifies it and either drops, rejects or admits it and connects to an endpoint.
     * Never throws; whatever happens, the socket ends up closed (and uncounted) or relayed.
     */
    static void accepted(TcpGate gate, DirectLoops.Loop home, int fd, InetSocketAddress client,
                         InetSocketAddress local) {
        FileDescriptor socket = new FileDescriptor(fd);
        RouterState state = gate.plane().stateFor(gate.listener());
        IpAddress clientIp = Flows.ipAddress(client.getAddress());
        DirectConnection c = new DirectConnection(gate, state, home, socket);
        try {
            switch (gate.classify(state, client, local, clientIp)) {
                case DROP -> c.closeSockets(false);
                case REJECT -> c.closeSockets(true);
                case ACCEPT -> c.admit(client, local, clientIp);
            }
        } catch (RuntimeException e) { // a defect: the connection goes, the loop and the listener stay
            LOG.error("accepted: {} on {}: {}", client, gate.listener(), e.toString(), e);
            c.abort();
        }
    }

    private void admit(InetSocketAddress clientAddress, InetSocketAddress local, IpAddress clientIp) {
        conn = gate.admit(state, this, clientAddress, local, clientIp);
        if (conn == null) {
            closeSockets(true);
            return;
        }
        if (!register(client)) {
            conn.reset();
            return;
        }
        hash = EndpointSelector.hashClient(clientIp);
        connect(1, null);
    }

    /** Registers a side with the loop and adds it to epoll with every interest. */
    private boolean register(Side side) {
        Future<IoRegistration> f = home.loop().register(side);
        IoRegistration reg = f.getNow();
        if (reg == null) { // registration completes at once on the loop itself; anything else is a failure
            LOG.warn("register: {} on {}: {}", side.socket, home.loop(), String.valueOf(f.cause()));
            return false;
        }
        side.registration = reg;
        try {
            reg.submit(INTERESTS);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("register: adding {} to epoll failed: {}", side.socket, e.toString());
            reg.cancel();
            side.registration = null;
            return false;
        }
    }

    private void connect(int attemptNumber, Endpoint failed) {
        Endpoint e = gate.choose(state, conn, hash, attemptNumber, failed);
        if (e == null) {
            conn.reset();
            return;
        }
        attempt = attemptNumber;
        chosen = e;
        InetSocketAddress address = e.socketAddress();
        SocketCalls calls = home.sockets();
        FileDescriptor socket;
        try {
            socket = new FileDescriptor(calls.newStreamSocket(SocketCalls.family(address)));
        } catch (IOException ex) { // EMFILE and the like
            connectFailed(ex);
            return;
        }
        endpoint = new Side(socket);
        connecting = true;
        boolean done;
        try {
            calls.setTcpNoDelay(socket.intValue());
            done = calls.connect(socket.intValue(), address);
        } catch (IOException ex) {
            connectFailed(ex);
            return;
        }
        if (!register(endpoint)) {
            connectFailed(new IOException("cannot register the endpoint socket"));
            return;
        }
        if (done) {
            established();
        } else {
            long millis = conn.service.service().timeouts().connect().toMillis();
            connectTimeout = home.loop().schedule(this::connectTimedOut, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void connectTimedOut() {
        if (connecting && !closed) {
            connectFailed(new IOException("connect timed out"));
        }
    }

    /**
     * The endpoint socket reported an error or hang-up while connecting: the connect failed, and the kernel's error
     * for it says why (ECONNREFUSED, ETIMEDOUT...). A connect that succeeded reports writable with neither, and
     * goes straight to {@link #established} without this {@code getsockopt} (one system call less per connection).
     */
    private void finishConnect() {
        try {
            home.sockets().finishConnect(endpoint.socket.intValue());
        } catch (IOException ex) {
            connectFailed(ex);
            return;
        }
        established();
    }

    private void connectFailed(Exception cause) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        connecting = false;
        if (endpoint != null) {
            endpoint.close(false);
            endpoint = null;
        }
        if (gate.connectFailed(conn, chosen, attempt, cause)) {
            connect(attempt + 1, chosen);
        } else {
            conn.reset();
        }
    }

    private void established() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        connecting = false;
        endpoint.writable = true;
        conn.established(chosen);
        if (conn.service.service().proxyProtocol()) {
            ByteBuf header = ProxyProtocolV2.encode(NettyTransport.allocator(), conn.client, conn.local);
            try {
                int length = header.readableBytes();
                header.getBytes(header.readerIndex(), home.scratch().buffer().duplicate().clear().limit(length));
                inbound.keep(home.scratch().buffer(), 0, length);
            } finally {
                header.release();
            }
        }
        relay();
    }

    /** Readiness on one side: note it, then move what can be moved. */
    private void ready(Side side, int events) {
        if (closed) {
            return;
        }
        if ((events & READABLE) != 0) {
            side.readable = true;
            if ((events & (Native.EPOLLRDHUP | Native.EPOLLERR | EPOLLHUP)) != 0) {
                side.finSeen = true; // no more edges will come: read until end of stream or the error
            }
        }
        if ((events & WRITABLE) != 0) {
            side.writable = true;
        }
        if (connecting) {
            if (side == endpoint && (events & WRITABLE) != 0) {
                if ((events & (Native.EPOLLERR | EPOLLHUP)) == 0) {
                    established(); // writable without error: the connect succeeded, no need to ask
                } else {
                    finishConnect();
                }
            }
            return; // nothing is read from the client before the endpoint is up
        }
        if (conn != null && !conn.isClosed()) {
            relay();
        }
    }

    private void relay() {
        try {
            move(client, endpoint, inbound);
            if (!closed) {
                move(endpoint, client, outbound);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("relay: {} -> {} via {}: {}", conn.client, chosen, gate.listener(), e.toString());
            abort();
        }
    }

    /**
     * Moves bytes from {@code from} to {@code to} until one would block or the direction has ended. Reads land in
     * the loop's scratch buffer and are written on at once; only what the other side cannot take now is copied into
     * a buffer of the direction's own, which is written first when the other side is writable again.
     */
    private void move(Side from, Side to, Pipe pipe) throws IOException {
        for (;;) {
            if (pipe.start < pipe.end) {
                if (!to.writable) {
                    return;
                }
                int n = home.sockets().send(to.socket.intValue(), pipe.address + pipe.start, pipe.end - pipe.start);
                pipe.start += n;
                if (pipe.start < pipe.end) { // the socket's buffer is full (n == 0: EAGAIN): resume on EPOLLOUT
                    to.writable = false;
                    return;
                }
                pipe.free();
            }
            if (pipe.ended) {
                return;
            }
            if (from.inputEnded) {
                endDirection(to, pipe);
                return;
            }
            if (!from.readable) {
                return;
            }
            int n = home.sockets().recv(from.socket.intValue(), home.scratch().address(), BUFFER);
            if (n == 0) { // EAGAIN: drained
                from.readable = false;
                return;
            }
            if (n < 0) {
                from.inputEnded = true;
                from.readable = false;
                continue;
            }
            conn.count(pipe.direction, n);
            conn.touch();
            if (n < BUFFER && !from.finSeen) {
                from.readable = false; // a short read drained the socket; new data is a new edge
            }
            int written = to.writable ? home.sockets().send(to.socket.intValue(), home.scratch().address(), n) : 0;
            if (written < n) {
                to.writable = false;
                pipe.keep(home.scratch().buffer(), written, n);
                return;
            }
        }
    }

    /** The peer sending into {@code pipe} has finished and everything it sent is written: pass its FIN on. */
    private void endDirection(Side to, Pipe pipe) throws IOException {
        pipe.ended = true;
        Pipe other = pipe == inbound ? outbound : inbound;
        if (other.ended) {
            // Both peers are done: the close sends this FIN (a shutdown first would only cost a call).
            conn.close();
            return;
        }
        home.sockets().shutdownOutput(to.socket.intValue());
        conn.halfClosed(pipe.direction);
    }

    /** An error on either side: both are closed at once, with RST, so each peer learns the other's abort. */
    private void abort() {
        if (conn != null && !conn.isClosed()) {
            conn.reset();
        } else {
            closeSockets(true);
        }
    }

    @Override
    public EventExecutor executor() {
        return home.loop();
    }

    @Override
    public void close() {
        closeSockets(false);
    }

    @Override
    public void reset() {
        closeSockets(true);
    }

    /** Closes both sockets (with RST if {@code reset}) and returns the buffers. Idempotent. */
    private void closeSockets(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        home.connections().decrementAndGet();
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        inbound.free();
        outbound.free();
        client.close(reset);
        if (endpoint != null) {
            endpoint.close(reset);
        }
    }

    /** Unregistered by the loop itself (it is shutting down): the connection cannot go on. */
    private void lost() {
        if (!closed) {
            abort();
        }
    }

    /** One socket of the connection, as epoll sees it. */
    private final class Side implements EpollIoHandle {
        final FileDescriptor socket;
        IoRegistration registration;
        /** Whether a read may find data: set by EPOLLIN (and friends), cleared by a read that found none. */
        boolean readable;
        /** Whether a write may go through: set by EPOLLOUT, cleared by a write that would block. */
        boolean writable;
        /** Whether the peer's FIN has been reported (EPOLLRDHUP): read until end of stream. */
        boolean finSeen;
        /** Whether a read returned end of stream. */
        boolean inputEnded;

        Side(FileDescriptor socket) {
            this.socket = socket;
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            try {
                ready(this, ((EpollIoEvent) event).ops().value());
            } catch (RuntimeException e) { // a defect: this connection goes, the loop stays
                LOG.error("handle: {} via {}: {}", conn == null ? null : conn.client, gate.listener(), e.toString(), e);
                abort();
            }
        }

        /**
         * Closes the socket, then drops its registration: once the descriptor is closed the kernel has removed it
         * from the epoll set, so no {@code EPOLL_CTL_DEL} is needed.
         */
        void close(boolean reset) {
            try {
                if (reset) {
                    home.sockets().setResetOnClose(socket.intValue());
                }
            } catch (IOException ignored) {
                // the socket is gone already; closing is all that is left
            }
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("close: {}: {}", socket, e.toString());
            }
            if (registration != null) {
                registration.cancel();
            }
        }

        @Override
        public void close() {
            lost();
        }
    }

    /**
     * One direction's own buffer, held only while the receiving side cannot take what was read: bytes [start, end)
     * of {@link #buffer} are read and not yet written.
     */
    private static final class Pipe {
        final Relay.Direction direction;
        ByteBuf buffer;
        /** Where {@link #buffer}'s memory starts. */
        long address;
        int start;
        int end;
        /** The sender's FIN has been passed on; nothing more moves this way. */
        boolean ended;

        Pipe(Relay.Direction direction) {
            this.direction = direction;
        }

        /**
         * Keeps bytes [from, to) of {@code source} (the scratch buffer) in a buffer of this direction's own, taken
         * from the pool: the other side could not take them yet.
         */
        void keep(ByteBuffer source, int from, int to) {
            buffer = NettyTransport.allocator().directBuffer(BUFFER, BUFFER);
            ByteBuffer nio = buffer.internalNioBuffer(0, BUFFER);
            address = buffer.hasMemoryAddress() ? buffer.memoryAddress() : Buffer.memoryAddress(nio) + nio.position();
            buffer.setBytes(0, source.duplicate().limit(to).position(from));
            start = 0;
            end = to - from;
        }

        /** Returns the buffer to the pool, dropping what it holds (the connection is closing). */
        void free() {
            if (buffer != null) {
                buffer.release();
                buffer = null;
                address = 0;
            }
            start = end = 0;
        }
    }
}
