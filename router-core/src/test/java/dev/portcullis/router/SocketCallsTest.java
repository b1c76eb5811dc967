package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The direct path's socket calls against real sockets on loopback, with a plain Java socket as the peer. */
class SocketCallsTest {

    private final SocketCalls calls = new SocketCalls();

    @BeforeAll
    static void linux() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "the socket calls are Linux's");
        Epoll.ensureAvailability(); // loads Netty's native library, whose read, write and close the tests use
    }

    @Test
    void connect_listeningPeer_connectsWithTheRightAddressesAndCarriesBytes() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FileDescriptor fd = connected(server.getLocalSocketAddress());
            try (Socket peer = server.accept()) {
                calls.finishConnect(fd.intValue()); // the handshake is done: no error recorded
                assertThat(calls.localAddress(fd.intValue())).isEqualTo(peer.getRemoteSocketAddress());

                ByteBuffer hello = ByteBuffer.allocateDirect(5).put("hello".getBytes(StandardCharsets.US_ASCII)).flip();
                assertThat(calls.send(fd.intValue(), Buffer.memoryAddress(hello), 5)).isEqualTo(5);
                assertThat(peer.getInputStream().readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("hello");

                ByteBuffer in = ByteBuffer.allocateDirect(16);
                assertThat(calls.recv(fd.intValue(), Buffer.memoryAddress(in), 16)).as("nothing sent yet").isZero();
                peer.getOutputStream().write("back".getBytes(StandardCharsets.US_ASCII));
                assertThat(receive(fd, in)).isEqualTo(4);
                assertThat(StandardCharsets.US_ASCII.decode(in.limit(4)).toString()).isEqualTo("back");
                peer.shutdownOutput();
                assertThat(receive(fd, in)).as("end of stream").isEqualTo(-1);
            } finally {
                fd.close();
            }
        }
    }

    @Test
    void connect_ipv6Loopback_connects() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        ServerSocket server;
        try {
            server = new ServerSocket(0, 1, v6);
        } catch (IOException e) {
            abort("no IPv6 loopback here: " + e);
            return;
        }
        try (server) {
            FileDescriptor fd = new FileDescriptor(calls.newStreamSocket(SocketCalls.AF_INET6));
            try {
                calls.connect(fd.intValue(), (InetSocketAddress) server.getLocalSocketAddress());
                try (Socket peer = server.accept()) {
                    calls.finishConnect(fd.intValue());
                    InetSocketAddress local = calls.localAddress(fd.intValue());
                    assertThat(local.getAddress()).isEqualTo(v6);
                    assertThat(local.getPort()).isEqualTo(peer.getPort());
                }
            } finally {
                fd.close();
            }
        }
    }

    @Test
    void connect_nobodyListening_failsWithConnectionRefused() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) server.getLocalSocketAddress();
        }
        FileDescriptor fd = new FileDescriptor(calls.newStreamSocket(SocketCalls.AF_INET));
        try {
            assertThatThrownBy(() -> {
                if (!calls.connect(fd.intValue(), closed)) {
                    // in progress: on loopback the refusal is recorded at once; wait a little for it all the same
                    for (int i = 0; i < 500; i++) {
                        calls.finishConnect(fd.intValue());
                        Thread.sleep(10);
                    }
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("ECONNREFUSED");
        } finally {
            fd.close();
        }
    }

    @Test
    void shutdownOutput_connected_peerReadsEndOfStreamAndCanStillSend() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FileDescriptor fd = connected(server.getLocalSocketAddress());
            try (Socket peer = server.accept()) {
                calls.shutdownOutput(fd.intValue());
                assertThat(peer.getInputStream().read()).isEqualTo(-1);

                peer.getOutputStream().write('x'); // the other direction stays open
                ByteBuffer in = ByteBuffer.allocateDirect(1);
                assertThat(receive(fd, in)).isEqualTo(1);
                assertThat(in.get(0)).isEqualTo((byte) 'x');
            } finally {
                fd.close();
            }
        }
    }

    @Test
    void setResetOnClose_thenClose_peerSeesConnectionReset() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FileDescriptor fd = connected(server.getLocalSocketAddress());
            try (Socket peer = server.accept()) {
                calls.setTcpNoDelay(fd.intValue());
                calls.setResetOnClose(fd.intValue());
                fd.close();
                InputStream in = peer.getInputStream();
                assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            }
        }
    }

    @Test
    void send_peerHasReset_failsWithTheError() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FileDescriptor fd = connected(server.getLocalSocketAddress());
            try {
                try (Socket peer = server.accept()) {
                    peer.setSoLinger(true, 0); // its close sends RST
                }
                ByteBuffer out = ByteBuffer.allocateDirect(1024);
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 500; i++) { // the RST is on its way: the first send may still go out
                        calls.send(fd.intValue(), Buffer.memoryAddress(out), 1024);
                        Thread.sleep(10);
                    }
                }).isInstanceOf(IOException.class).hasMessageMatching("send: (ECONNRESET|EPIPE).*");
            } finally {
                fd.close();
            }
        }
    }

    @Test
    void localAddress_closedDescriptor_failsNamingTheCallAndError() throws Exception {
        int fd = calls.newStreamSocket(SocketCalls.AF_INET);
        new FileDescriptor(fd).close();
        assertThatThrownBy(() -> calls.localAddress(fd)).isInstanceOf(IOException.class)
                .hasMessage("getsockname: EBADF");
        assertThatThrownBy(() -> calls.shutdownOutput(fd)).isInstanceOf(IOException.class)
                .hasMessage("shutdown: EBADF");
    }

    @Test
    void errnoName_unknownNumber_givesTheNumber() {
        assertThat(SocketCalls.errnoName(111)).startsWith("ECONNREFUSED");
        assertThat(SocketCalls.errnoName(4242)).isEqualTo("errno 4242");
    }

    private FileDescriptor connected(java.net.SocketAddress to) throws IOException {
        FileDescriptor fd = new FileDescriptor(calls.newStreamSocket(SocketCalls.AF_INET));
        calls.connect(fd.intValue(), (InetSocketAddress) to); // done at once or in progress: accept() waits for it
        return fd;
    }

    /** Receives on a non-blocking descriptor, waiting up to 5 s for data or end of stream. */
    private int receive(FileDescriptor fd, ByteBuffer into) throws Exception {
        for (int i = 0; i < 500; i++) {
            int n = calls.recv(fd.intValue(), Buffer.memoryAddress(into), into.capacity());
            if (n != 0) {
                return n;
            }
            Thread.sleep(10);
        }
        return 0;
    }
}
