package dev.portcullis.router;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * The socket calls of the direct TCP path ({@link DirectConnection}: relaying, connecting, half-closing, resetting;
 * the listener's accept and every close go through Netty), made straight to the C library through the JDK's foreign
 * function interface.
 *
 * <p>Why not Netty's {@code Socket}: its constructor asks the kernel for the socket's address family
 * ({@code getsockname}), once for the accepted socket and once for the endpoint socket. With page-table isolation on
 * (as on the benchmark machine) every system call costs its entry and exit; those two were 2 of the 19 calls per
 * proxied connection and about 3% of the proxy's CPU per connection (async-profiler, docs/performance.md). Sockets
 * are closed through Netty's {@code FileDescriptor}, which asks nothing. The relay uses {@code recv} and
 * {@code send} rather than that class's {@code read} and {@code write}: the generic file calls cost the proxy
 * measurably more CPU per kept-alive request.
 *
 * <p>Platform: Linux on 64-bit machines (the constants are Linux's, the same on x86-64 and ARM64); elsewhere
 * {@link NettyTransport#epoll()} relays TCP through Netty channels and this class is not used.
 *
 * <p>Errors: a call that fails throws an {@link IOException} naming the call and the error ({@code ECONNREFUSED} and
 * the like), except a connect still in progress, which is reported as not done.
 *
 * <p>Threading: one instance per event loop, used only there: the native memory the calls fill (the error number,
 * the address, the option value) is reused by every call, so nothing is allocated per call.
 */
final class SocketCalls {

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ERROR = 4;
    private static final int SO_LINGER = 13;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
    private static final int SHUT_WR = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int MSG_DONTWAIT = 0x40;
    /** No SIGPIPE for a write to a connection the peer has reset: the error comes back as EPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EINPROGRESS = 115;
    /** sizeof(struct sockaddr_in6), the larger of the two address structures. */
    static final int SOCKADDR_BYTES = 28;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Network byte order for the port, whatever the machine's order. */
    private static final ValueLayout.OfShort PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /*
     * recv and send take the buffer as a 64-bit integer rather than an ADDRESS: on the 64-bit Linux ABIs a pointer is
     * passed exactly as a long, and the relay holds raw addresses (its buffers are direct memory), so no memory
     * segment is made per call. ssize_t is a long there too.
     */
    private static final MethodHandle RECV = downcall("recv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND = downcall("send", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SOCKET = downcall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CONNECT = downcall("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
            ADDRESS);
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT);
    private static final MethodHandle SHUTDOWN = downcall("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle BIND = downcall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = downcall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final int SO_REUSEADDR = 2;

    private final MemorySegment state;
    private final MemorySegment address;
    /** An int, or a struct linger (two ints). */
    private final MemorySegment value;
    private final MemorySegment length;

    SocketCalls() {
        Arena arena = Arena.ofAuto(); // lives as long as the loop that owns this
        this.state = arena.allocate(CALL_STATE);
        this.address = arena.allocate(SOCKADDR_BYTES, 8);
        this.value = arena.allocate(8, 4);
        this.length = arena.allocate(JAVA_INT);
    }

    /**
     * Reads up to {@code length} (at least 1) bytes from {@code fd} into native memory at {@code memory}: the count
     * read, 0 when nothing is there now (EAGAIN), or -1 at end of stream.
     *
     * @throws IOException when the connection failed (ECONNRESET...)
     */
    int recv(int fd, long memory, int length) throws IOException {
        for (;;) {
            long n;
            try {
                n = (long) RECV.invokeExact(state, fd, memory, (long) length, MSG_DONTWAIT);
            } catch (Throwable t) {
                throw broken(t);
            }
            if (n > 0) {
                return (int) n;
            }
            if (n == 0) {
                return -1;
            }
            int errno = errno();
            if (errno == EAGAIN) {
                return 0;
            }
            if (errno != EINTR) {
                throw failure("recv", errno);
            }
        }
    }

    /**
     * Writes up to {@code length} bytes of native memory at {@code memory} to {@code fd}: the count written, 0 when
     * the socket's buffer is full (EAGAIN).
     *
     * @throws IOException when the connection failed (EPIPE, ECONNRESET...)
     */
    int send(int fd, long memory, int length) throws IOException {
        for (;;) {
            long n;
            try {
                n = (long) SEND.invokeExact(state, fd, memory, (long) length, MSG_DONTWAIT | MSG_NOSIGNAL);
            } catch (Throwable t) {
                throw broken(t);
            }
            if (n >= 0) {
                return (int) n;
            }
            int errno = errno();
            if (errno == EAGAIN) {
                return 0;
            }
            if (errno != EINTR) {
                throw failure("send", errno);
            }
        }
    }

    /**
     * A new non-blocking TCP socket of {@code family} ({@link #AF_INET} or {@link #AF_INET6}).
     *
     * @throws IOException when the kernel refuses (EMFILE, ENFILE, ENOBUFS...)
     */
    int newStreamSocket(int family) throws IOException {
        return newStreamSocket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    }

    /**
     * A new blocking TCP socket of {@code family}, for ring operations ({@link UringConnection}): io_uring waits for
     * a blocking socket itself, where a non-blocking one would hand back EAGAIN.
     *
     * @throws IOException when the kernel refuses (EMFILE, ENFILE, ENOBUFS...)
     */
    int newBlockingStreamSocket(int family) throws IOException {
        return newStreamSocket(family, SOCK_STREAM | SOCK_CLOEXEC);
    }

    private int newStreamSocket(int family, int type) throws IOException {
        for (;;) {
            int fd;
            try {
                fd = (int) SOCKET.invokeExact(state, family, type, 0);
            } catch (Throwable t) {
                throw broken(t);
            }
            if (fd >= 0) {
                return fd;
            }
            retryOrThrow("socket");
        }
    }

    /** The address family a socket for {@code address} needs. */
    static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /**
     * Starts connecting {@code fd} to {@code to}: true when connected at once, false when in progress (wait for the
     * socket to become writable, then {@link #finishConnect}).
     *
     * @throws IOException when the connect failed at once (ECONNREFUSED, ENETUNREACH...)
     */
    boolean connect(int fd, InetSocketAddress to) throws IOException {
        int size = encode(address, to);
        int rc;
        try {
            rc = (int) CONNECT.invokeExact(state, fd, address, size);
        } catch (Throwable t) {
            throw broken(t);
        }
        if (rc == 0) {
            return true;
        }
        int errno = errno();
        // EINTR: the connect goes on in the background, as with EINPROGRESS (connect(2))
        if (errno == EINPROGRESS || errno == EINTR) {
            return false;
        }
        throw failure("connect to " + to, errno);
    }

    /**
     * Completes a connect that was in progress, once the socket has reported writable or an error: the error the
     * kernel recorded for it, if any, is thrown.
     */
    void finishConnect(int fd) throws IOException {
        value.set(JAVA_INT, 0, 0);
        length.set(JAVA_INT, 0, 4);
        int rc;
        try {
            rc = (int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ERROR, value, length);
        } catch (Throwable t) {
            throw broken(t);
        }
        check("getsockopt(SO_ERROR)", rc);
        int error = value.get(JAVA_INT, 0);
        if (error != 0) {
            throw failure("connect", error);
        }
    }

    /** Turns Nagle's algorithm off: a proxy passes each write on at once. */
    void setTcpNoDelay(int fd) throws IOException {
        value.set(JAVA_INT, 0, 1);
        setOption("setsockopt(TCP_NODELAY)", fd, IPPROTO_TCP, TCP_NODELAY, 4);
    }

    /** Makes the next close send RST instead of FIN (SO_LINGER on, zero seconds). */
    void setResetOnClose(int fd) throws IOException {
        value.set(JAVA_INT, 0, 1);
        value.set(JAVA_INT, 4, 0);
        setOption("setsockopt(SO_LINGER)", fd, SOL_SOCKET, SO_LINGER, 8);
    }

    private void setOption(String what, int fd, int level, int option, int size) throws IOException {
        int rc;
        try {
            rc = (int) SETSOCKOPT.invokeExact(state, fd, level, option, value, size);
        } catch (Throwable t) {
            throw broken(t);
        }
        check(what, rc);
    }

    /**
     * Makes {@code fd} a listening socket on {@code address} with room for {@code backlog} pending connections,
     * {@code SO_REUSEADDR} and {@code TCP_NODELAY} set (accepted sockets inherit it).
     *
     * @throws IOException when the address is taken or not ours (EADDRINUSE, EADDRNOTAVAIL, EACCES...)
     */
    void listen(int fd, InetSocketAddress address, int backlog) throws IOException {
        value.set(JAVA_INT, 0, 1);
        setOption("setsockopt(SO_REUSEADDR)", fd, SOL_SOCKET, SO_REUSEADDR, 4);
        setTcpNoDelay(fd);
        int size = encode(this.address, address);
        int rc;
        try {
            rc = (int) BIND.invokeExact(state, fd, this.address, size);
        } catch (Throwable t) {
            throw broken(t);
        }
        check("bind to " + address, rc);
        try {
            rc = (int) LISTEN.invokeExact(state, fd, backlog);
        } catch (Throwable t) {
            throw broken(t);
        }
        check("listen on " + address, rc);
    }

    /** Shuts the sending direction: the peer reads end of stream once what was sent has arrived. */
    void shutdownOutput(int fd) throws IOException {
        int rc;
        try {
            rc = (int) SHUTDOWN.invokeExact(state, fd, SHUT_WR);
        } catch (Throwable t) {
            throw broken(t);
        }
        check("shutdown", rc);
    }

    /** The local address of {@code fd} (what a client reached on a wildcard listener). */
    InetSocketAddress localAddress(int fd) throws IOException {
        length.set(JAVA_INT, 0, SOCKADDR_BYTES);
        int rc;
        try {
            rc = (int) GETSOCKNAME.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw broken(t);
        }
        check("getsockname", rc);
        return decode(address, "getsockname");
    }

    /**
     * Writes {@code to} as a struct sockaddr_in or sockaddr_in6 into {@code into} (at least {@link #SOCKADDR_BYTES}
     * bytes); returns its size.
     */
    static int encode(MemorySegment into, InetSocketAddress to) {
        InetAddress ip = to.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + to);
        }
        into.asSlice(0, SOCKADDR_BYTES).fill((byte) 0);
        into.set(PORT, 2, (short) to.getPort());
        byte[] raw = ip.getAddress();
        if (ip instanceof Inet4Address) {
            into.set(JAVA_SHORT, 0, (short) AF_INET);
            MemorySegment.copy(raw, 0, into, JAVA_BYTE, 4, 4);
            return 16;
        }
        into.set(JAVA_SHORT, 0, (short) AF_INET6);
        MemorySegment.copy(raw, 0, into, JAVA_BYTE, 8, 16);
        into.set(JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        return SOCKADDR_BYTES;
    }

    /** The struct sockaddr_in or sockaddr_in6 at the start of {@code from}, as filled by {@code what}. */
    static InetSocketAddress decode(MemorySegment from, String what) throws IOException {
        int family = from.get(JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(from.get(PORT, 2));
        try {
            if (family == AF_INET) {
                byte[] raw = new byte[4];
                MemorySegment.copy(from, JAVA_BYTE, 4, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == AF_INET6) {
                byte[] raw = new byte[16];
                MemorySegment.copy(from, JAVA_BYTE, 8, raw, 0, 16);
                int scope = from.get(JAVA_INT, 24);
                InetAddress ip = scope == 0 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, scope);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) { // only for a wrong length, which cannot happen here
            throw new IOException(what + ": " + e.getMessage(), e);
        }
        throw new IOException(what + ": address family " + family + " is not IPv4 or IPv6");
    }

    /** A call that returns 0 on success: anything else is thrown with the error number it left. */
    private void check(String what, int rc) throws IOException {
        if (rc != 0) {
            throw failure(what, errno());
        }
    }

    /** After a call returned -1: returns to retry it when interrupted (EINTR), throws otherwise. */
    private void retryOrThrow(String what) throws IOException {
        int errno = errno();
        if (errno != EINTR) {
            throw failure(what, errno);
        }
    }

    /** The call itself could not be made (a linkage defect, never an error of the socket). */
    private static IllegalStateException broken(Throwable t) {
        return new IllegalStateException("native call failed: " + t, t);
    }

    private int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    private static IOException failure(String what, int errno) {
        return new IOException(what + ": " + errnoName(errno));
    }

    /** The usual name of the errors a socket call meets, or the number. */
    static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 22 -> "EINVAL";
            case 23 -> "ENFILE (too many open files in the system)";
            case 24 -> "EMFILE (too many open files)";
            case 32 -> "EPIPE";
            case 97 -> "EAFNOSUPPORT";
            case 98 -> "EADDRINUSE (address already in use)";
            case 99 -> "EADDRNOTAVAIL";
            case 101 -> "ENETUNREACH (network unreachable)";
            case 103 -> "ECONNABORTED";
            case 104 -> "ECONNRESET (connection reset by peer)";
            case 105 -> "ENOBUFS";
            case 107 -> "ENOTCONN";
            case 110 -> "ETIMEDOUT (connection timed out)";
            case 111 -> "ECONNREFUSED (connection refused)";
            case 113 -> "EHOSTUNREACH (no route to host)";
            case 125 -> "ECANCELED";
            default -> "errno " + errno;
        };
    }

    private static MethodHandle downcall(String name, ValueLayout result, ValueLayout... arguments) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find(name)
                .orElseThrow(() -> new ExceptionInInitializerError("the C library has no " + name));
        return linker.downcallHandle(symbol, FunctionDescriptor.of(result, arguments),
                Linker.Option.captureCallState("errno"));
    }
}
