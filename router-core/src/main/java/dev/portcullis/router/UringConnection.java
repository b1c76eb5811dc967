package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied TCP connection driven with io_uring operations on Netty's io_uring event loop: the data plane's TCP
 * path on the {@code io_uring} transport (the epoll one is {@link DirectConnection}, with the same decisions through
 * {@link TcpGate}).
 *
 * <p>Why: every receive, send, connect and close here is an entry in the loop's submission ring, and the
 * loop hands the kernel everything queued in one {@code io_uring_enter} per turn, for all of its connections at
 * once. On the epoll path each of those is a system call of its own, and on a machine where a system call's entry
 * and exit are dear (page-table isolation, a guest under a hypervisor) their number is what a proxy's CPU goes to
 * (docs/performance.md, "io_uring").
 *
 * <p>Relay, per direction: a one-shot poll waits until the sending side is readable; then a receive of up to
 * {@link #BUFFER} bytes into a buffer taken from the pooled allocator for it; then a send of those bytes to the other
 * side, repeated until all are written; then the buffer goes back to the pool and the poll is armed again. An idle
 * connection therefore holds no buffer, and a direction holds at most one: nothing more is read from a side until
 * the other side has taken what was read before (a slow reader slows the writer). A receive that filled the whole
 * buffer is followed straight by the next receive (a bulk transfer rarely pauses), without the poll in between.
 *
 * <p>Half-close: a receive of end of stream shuts the other side's output ({@code shutdown(SHUT_WR)}, a direct call:
 * the ring would pass every shutdown to a kernel worker thread); when
 * the second direction ends, the sockets are closed and the close sends that FIN. An error on either side closes both,
 * with RST, as on the epoll path.
 *
 * <p>Closing: pending operations hold their socket open, so a close first cancels every operation still pending
 * (by the identity the ring gave it, never by descriptor number: a number can be reused by the next accept before
 * the ring runs the cancel), then closes both sockets through the ring. The buffers go back to the pool and the
 * registration is dropped once the last operation has completed; until then the kernel may still write into them.
 *
 * <p>Connecting: socket(2) and TCP_NODELAY are direct calls; the connect is a ring operation, with the service's
 * connect timeout on the loop's scheduler, which cancels it. A refused or timed-out connect tries one other endpoint
 * ({@link TcpGate}).
 *
 * <p>Threading: every method but {@link #executor} runs on the connection's event loop, so no field needs
 * synchronisation; other threads close through {@link ProxiedConnection#closeFrom}.
 */
final class UringConnection implements IoUringIoHandle, ProxiedConnection.Sides {

    private static final Logger LOG = LoggerFactory.getLogger(UringConnection.class);

    /** Bytes received at most at once per direction; also the most one direction holds. */
    static final int BUFFER = DirectConnection.BUFFER;

    // io_uring operation codes (include/uapi/linux/io_uring.h).
    static final byte OP_POLL_ADD = 6;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_CONNECT = 16;
    static final byte OP_CLOSE = 19;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;

    private static final int POLLIN = 0x1;
    private static final int POLLRDHUP = 0x2000;
    /** No SIGPIPE for a send to a connection the peer has reset: the error comes back as EPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;
    static final int ECANCELED = 125;

    /* What a completion was for: the operation's 16-bit tag is side * 8 + one of these (side 0 client, 1 endpoint). */
    private static final int POLLED = 1;
    private static final int RECEIVED = 2;
    private static final int SENT = 3;
    private static final int CLOSED = 4;
    private static final int CANCELLED = 5;
    private static final int CONNECTED = 6;
    private static final int CLIENT = 0;
    private static final int ENDPOINT = 1;

    private final TcpGate gate;
    private final RouterState state;
    /** The loop the connection runs on, with its socket calls (used only there). */
    private final DirectLoops.Loop home;
    private final Side[] sides = new Side[2];
    /** Indexed by the side the bytes are read from: [CLIENT] inbound, [ENDPOINT] outbound. */
    private final Pipe[] pipes = {new Pipe(Relay.Direction.INBOUND), new Pipe(Relay.Direction.OUTBOUND)};
    private IoRegistration registration;
    /** Operations submitted and not yet completed; the registration and buffers are let go when it is back to 0. */
    private int inFlight;
    private ProxiedConnection conn;
    private Endpoint chosen;
    private int attempt;
    private long hash;
    /** The pending connect's ring identity, or 0; and the buffer holding its address until it completes. */
    private long connectOp;
    private ByteBuf connectAddress;
    private ScheduledFuture<?> connectTimeout;
    private boolean closed;

    private UringConnection(TcpGate gate, RouterState state, DirectLoops.Loop home, int clientSocket) {
        this.gate = gate;
        this.state = state;
        this.home = home;
        this.sides[CLIENT] = new Side(clientSocket);
    }

    /**
     * Takes over a socket the listener has just accepted, on {@code home}'s loop, where it has been counted
     * ({@link DirectLoops#place}): classifies it and either drops, rejects or admits it and connects to an endpoint.
     * Never throws; whatever happens, the socket ends up closed (and uncounted) or relayed.
     */
    static void accepted(TcpGate gate, DirectLoops.Loop home, int fd, InetSocketAddress client,
                         InetSocketAddress local) {
        RouterState state = gate.plane().stateFor(gate.listener());
        UringConnection c = new UringConnection(gate, state, home, fd);
        try {
            if (!c.register()) {
                c.closeSockets(false);
                return;
            }
            IpAddress clientIp = Flows.ipAddress(client.getAddress());
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

    /** Registers with the loop: one registration carries both sockets' operations. */
    private boolean register() {
        Future<IoRegistration> f = home.loop().register(this);
        IoRegistration reg = f.getNow();
        if (reg == null) { // registration completes at once on the loop itself; anything else is a failure
            LOG.warn("register: {} on {}: {}", sides[CLIENT].fd, home.loop(), String.valueOf(f.cause()));
            return false;
        }
        registration = reg;
        return true;
    }

    private void admit(InetSocketAddress clientAddress, InetSocketAddress local, IpAddress clientIp) {
        conn = gate.admit(state, this, clientAddress, local, clientIp);
        if (conn == null) {
            closeSockets(true);
            return;
        }
        hash = EndpointSelector.hashClient(clientIp);
        connect(1, null);
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
        int fd;
        try {
            fd = calls.newBlockingStreamSocket(SocketCalls.family(address));
        } catch (IOException ex) { // EMFILE and the like
            connectFailed(ex);
            return;
        }
        sides[ENDPOINT] = new Side(fd);
        try {
            calls.setTcpNoDelay(fd);
        } catch (IOException ex) {
            connectFailed(ex);
            return;
        }
        connectAddress = NettyTransport.allocator().directBuffer(SocketCalls.SOCKADDR_BYTES, SocketCalls.SOCKADDR_BYTES);
        long memory = addressOf(connectAddress);
        int length = SocketCalls.encode(MemorySegment.ofAddress(memory).reinterpret(SocketCalls.SOCKADDR_BYTES), address);
        connectOp = submit(OP_CONNECT, fd, length, memory, 0, 0, ENDPOINT, CONNECTED);
        long millis = conn.service.service().timeouts().connect().toMillis();
        connectTimeout = home.loop().schedule(this::connectTimedOut, millis, TimeUnit.MILLISECONDS);
    }

    private void connectTimedOut() {
        connectTimeout = null;
        if (!closed && connectOp != 0) {
            cancel(connectOp); // the connect completes with ECANCELED, and fails as timed out
        }
    }

    private void connected(int res) {
        connectOp = 0;
        connectAddress.release();
        connectAddress = null;
        if (closed) {
            return;
        }
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        if (res < 0) {
            // Only the timeout cancels a connect of an open connection (a close cancels it too, but returned above)
            connectFailed(new IOException(res == -ECANCELED ? "connect timed out"
                    : "connect to " + chosen.socketAddress() + ": " + SocketCalls.errnoName(-res)));
            return;
        }
        conn.established(chosen);
        if (conn.service.service().proxyProtocol()) {
            ByteBuf header = ProxyProtocolV2.encode(NettyTransport.allocator(), conn.client, conn.local);
            try {
                Pipe inbound = pipes[CLIENT];
                inbound.take();
                inbound.length = header.readableBytes();
                header.getBytes(header.readerIndex(), inbound.buffer, 0, inbound.length);
                inbound.sent = 0;
                send(CLIENT); // the header goes first; the client is polled once it is written
            } finally {
                header.release();
            }
        } else {
            await(CLIENT);
        }
        await(ENDPOINT);
    }

    private void connectFailed(Exception cause) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        Side endpoint = sides[ENDPOINT];
        if (endpoint != null) {
            sides[ENDPOINT] = null;
            submit(OP_CLOSE, endpoint.fd, 0, 0, 0, 0, ENDPOINT, CLOSED); // nothing is pending on it now
        }
        if (gate.connectFailed(conn, chosen, attempt, cause)) {
            connect(attempt + 1, chosen);
        } else {
            conn.reset();
        }
    }

    /** Waits until side {@code from} is readable (the start of a direction's round), holding no buffer. */
    private void await(int from) {
        Side s = sides[from];
        s.reading = submit(OP_POLL_ADD, s.fd, 0, 0, 0, POLLIN | POLLRDHUP, from, POLLED);
    }

    /** Receives from side {@code from} into its direction's buffer, taken from the pool if it holds none. */
    private void receive(int from) {
        Pipe pipe = pipes[from];
        pipe.take();
        Side s = sides[from];
        s.reading = submit(OP_RECV, s.fd, 0, pipe.address, BUFFER, 0, from, RECEIVED);
    }

    /** Sends what is left of direction {@code from}'s buffer to the other side. */
    private void send(int from) {
        Pipe pipe = pipes[from];
        Side to = sides[1 - from];
        to.writing = submit(OP_SEND, to.fd, 0, pipe.address + pipe.sent, pipe.length - pipe.sent, MSG_NOSIGNAL,
                from, SENT);
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        inFlight--;
        int tag = e.data();
        int side = tag >>> 3;
        int res = e.res();
        try {
            switch (tag & 7) {
                case POLLED -> polled(side, res);
                case RECEIVED -> received(side, res);
                case SENT -> sent(side, res);
                case CONNECTED -> connected(res);
                default -> { // CLOSED, CANCELLED: only counted
                }
            }
        } catch (RuntimeException ex) { // a defect: this connection goes, the loop stays
            LOG.error("handle: {} via {}: {}", conn == null ? null : conn.client, gate.listener(), ex.toString(), ex);
            abort();
        }
        if (closed && inFlight == 0) {
            release();
        }
    }

    private void polled(int from, int res) {
        sides[from].reading = 0;
        if (closed) {
            return;
        }
        if (res < 0) {
            failed(from, "poll", res);
            return;
        }
        receive(from);
    }

    private void received(int from, int res) {
        sides[from].reading = 0;
        if (closed) {
            return;
        }
        Pipe pipe = pipes[from];
        if (res > 0) {
            conn.count(pipe.direction, res);
            conn.touch();
            pipe.length = res;
            pipe.sent = 0;
            send(from);
        } else if (res == 0) { // end of stream: pass the FIN on
            pipe.free();
            pipe.ended = true;
            if (pipes[1 - from].ended) {
                conn.close(); // both peers are done: the close sends this FIN
                return;
            }
            try {
                // A direct call: the ring would hand a shutdown to a kernel worker thread (io-wq), every time
                home.sockets().shutdownOutput(sides[1 - from].fd);
            } catch (IOException e) {
                LOG.debug("relay: {} -> {} via {}: {}", conn.client, chosen, gate.listener(), e.toString());
                abort();
                return;
            }
            conn.halfClosed(pipe.direction);
        } else {
            failed(from, "recv", res);
        }
    }

    private void sent(int from, int res) {
        sides[1 - from].writing = 0;
        if (closed) {
            return;
        }
        if (res < 0) {
            failed(1 - from, "send", res);
            return;
        }
        Pipe pipe = pipes[from];
        pipe.sent += res;
        if (pipe.sent < pipe.length) {
            send(from);
        } else if (pipe.length == BUFFER) {
            receive(from); // a full buffer: more is likely waiting, so receive at once (the buffer is kept)
        } else {
            pipe.free();
            await(from);
        }
    }

    private void failed(int side, String call, int res) {
        LOG.debug("relay: {} -> {} via {}: {} on the {} side: {}", conn.client, chosen, gate.listener(), call,
                side == CLIENT ? "client" : "endpoint", SocketCalls.errnoName(-res));
        abort();
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
        if (conn != null && !conn.isClosed()) {
            conn.close(); // the loop is shutting down: release what was counted, then close
        } else {
            closeSockets(false);
        }
    }

    @Override
    public void reset() {
        closeSockets(true);
    }

    /**
     * Closes both sockets (with RST if {@code reset}): cancels every pending operation, then closes through the ring.
     * The buffers are returned when the last operation has completed ({@link #release}). Idempotent.
     */
    private void closeSockets(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        home.connections().decrementAndGet();
        if (registration == null) { // the loop would not take it: nothing is in the ring, close directly
            try {
                new FileDescriptor(sides[CLIENT].fd).close();
            } catch (IOException e) {
                LOG.debug("close: {}: {}", sides[CLIENT].fd, e.toString());
            }
            return;
        }
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        if (connectOp != 0) {
            cancel(connectOp);
        }
        for (int i = 0; i < 2; i++) {
            Side s = sides[i];
            if (s == null) {
                continue;
            }
            if (reset) {
                try {
                    home.sockets().setResetOnClose(s.fd);
                } catch (IOException ignored) {
                    // the socket is gone already; closing is all that is left
                }
            }
            if (s.reading != 0) {
                cancel(s.reading);
            }
            if (s.writing != 0) {
                cancel(s.writing);
            }
            submit(OP_CLOSE, s.fd, 0, 0, 0, 0, i, CLOSED);
        }
        if (inFlight == 0) {
            release();
        }
    }

    /** Every operation has completed: the buffers go back to the pool and the registration is dropped. */
    private void release() {
        pipes[CLIENT].free();
        pipes[ENDPOINT].free();
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
    }

    private void cancel(long op) {
        submit(OP_ASYNC_CANCEL, -1, 0, op, 0, 0, 0, CANCELLED);
    }

    /** Queues one ring operation tagged with {@code side} and {@code what}; its identity in the ring. */
    private long submit(byte opcode, int fd, long union1, long address, int length, int opFlags, int side, int what) {
        long id = registration.submit(new IoUringIoOps(opcode, (byte) 0, (short) 0, fd, union1, address, length, opFlags,
                (short) (side << 3 | what), (short) 0, (short) 0, 0, 0L));
        if (id != 0) {
            inFlight++;
        }
        return id;
    }

    /** Where a direct buffer's memory starts (the ring takes addresses), with or without Netty's Unsafe access. */
    static long addressOf(ByteBuf direct) {
        if (direct.hasMemoryAddress()) {
            return direct.memoryAddress();
        }
        java.nio.ByteBuffer nio = direct.internalNioBuffer(0, direct.capacity());
        return Buffer.memoryAddress(nio) + nio.position();
    }

    /** One socket of the connection and its pending operations' ring identities (0: none). */
    private static final class Side {
        final int fd;
        /** The poll or receive pending on this socket. */
        long reading;
        /** The send pending on this socket. */
        long writing;

        Side(int fd) {
            this.fd = fd;
        }
    }

    /**
     * One direction's buffer, held from a receive until its bytes are all sent: bytes [sent, length) of
     * {@link #buffer} are received and not yet written.
     */
    private static final class Pipe {
        final Relay.Direction direction;
        ByteBuf buffer;
        /** Where {@link #buffer}'s memory starts. */
        long address;
        int length;
        int sent;
        /** The sender's FIN has been passed on; nothing more moves this way. */
        boolean ended;

        Pipe(Relay.Direction direction) {
            this.direction = direction;
        }

        /** Takes a buffer from the pool unless one is held. */
        void take() {
            if (buffer == null) {
                buffer = NettyTransport.allocator().directBuffer(BUFFER, BUFFER);
                address = addressOf(buffer);
            }
        }

        /** Returns the buffer to the pool. Only when no operation uses it. */
        void free() {
            if (buffer != null) {
                buffer.release();
                buffer = null;
                address = 0;
            }
            length = sent = 0;
        }
    }
}
