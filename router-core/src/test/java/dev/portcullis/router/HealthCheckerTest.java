package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.policy.HealthCheck;
import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.IpAddress;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthCheckerTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final HealthCheck FAST = new HealthCheck(true, Duration.ofMillis(50), Duration.ofMillis(1000), 2, 3);
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private EventLoopGroup group;
    private Server server;

    /** Flips as the listener saw them, with the checker's counts at that moment. */
    record Flip(Endpoint endpoint, boolean up, long successes, long failures) {
    }

    /** A listening socket that accepts, reads to end of stream and closes, counting both. */
    static final class Server implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();

        Server(int port) throws IOException {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port), 100);
            Thread.ofVirtual().start(this::acceptLoop);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> drain(s));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void drain(Socket s) {
            try (s; InputStream in = s.getInputStream()) {
                while (in.read() >= 0) {
                    // the checker sends nothing
                }
                ended.incrementAndGet();
            } catch (IOException e) {
                ended.incrementAndGet(); // a reset also ends it
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private Class<? extends SocketChannel> transport(String name) {
        if (name.equals("epoll")) {
            assumeTrue(Epoll.isAvailable(), "native epoll not available");
            group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            return EpollSocketChannel.class;
        }
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        return NioSocketChannel.class;
    }

    private static Endpoint endpoint(int port) {
        return new Endpoint(new HostPort(IpAddress.parse("127.0.0.1"), port));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > DEADLINE_NANOS) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Up while listening; down after exactly {@code fall} failed checks once the listener closes; up again after
     * exactly {@code rise} successful checks once it listens again on the same port; no channel left open.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void start_listenerClosesAndReopens_downAfterFallUpAfterRise(String name) throws Exception {
        Class<? extends SocketChannel> channelClass = transport(name);
        server = new Server(0);
        int port = server.port();
        Endpoint e = endpoint(port);
        List<Flip> flips = new CopyOnWriteArrayList<>();
        AtomicReference<HealthChecker> ref = new AtomicReference<>();
        HealthChecker checker = new HealthChecker(List.of(e), group, channelClass, FAST,
                (ep, up) -> flips.add(new Flip(ep, up, ref.get().successes(), ref.get().failures())));
        ref.set(checker);
        checker.start();

        await("5 successful checks", () -> checker.successes() >= 5);
        assertThat(e.healthy()).isTrue();
        assertThat(flips).isEmpty();
        assertThat(checker.failures()).isZero();

        server.close();
        await("the endpoint to go down", () -> !e.healthy());
        Flip down = flips.getFirst();
        assertThat(down.endpoint()).isSameAs(e);
        assertThat(down.up()).isFalse();
        assertThat(down.failures()).isEqualTo(FAST.fall());

        Server first = server;
        server = new Server(port);
        await("the endpoint to come back", e::healthy);
        assertThat(flips).hasSize(2);
        Flip up = flips.get(1);
        assertThat(up.up()).isTrue();
        assertThat(up.successes() - down.successes()).isEqualTo(FAST.rise());

        checker.close();
        checker.close();
        await("every check channel to close", () -> checker.openChannels() == 0);
        Server second = server;
        // The second server is still listening, so it accepts at least the rise successful checks' connections
        // (the first dropped any still in its backlog when it closed); each must end, closed by the checker.
        await("the servers to see every connection end", () -> second.accepted.get() >= FAST.rise()
                && first.ended.get() == first.accepted.get() && second.ended.get() == second.accepted.get());
        long checks = checker.successes() + checker.failures();
        Thread.sleep(150); // three intervals: nothing more may run after close
        assertThat(checker.successes() + checker.failures()).isEqualTo(checks);
        assertThat(flips).hasSize(2);
    }

    @Test
    void start_nothingListening_downOnceAfterFall() throws Exception {
        Class<? extends SocketChannel> channelClass = transport("nio");
        Endpoint dead = endpoint(freePort());
        server = new Server(0);
        Endpoint live = endpoint(server.port());
        List<Flip> flips = new CopyOnWriteArrayList<>();
        try (HealthChecker checker = new HealthChecker(List.of(dead, live), group, channelClass, FAST,
                (ep, up) -> flips.add(new Flip(ep, up, 0, 0)))) {
            checker.start();
            await("the dead endpoint to go down", () -> !dead.healthy());
            await("more checks", () -> checker.failures() >= FAST.fall() + 3);
            assertThat(flips).containsExactly(new Flip(dead, false, 0, 0));
            assertThat(live.healthy()).isTrue();
            assertThatThrownBy(checker::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("started twice");
        }
    }

    /** A checker starts from the endpoint's flag: one a previous checker took down comes back after rise. */
    @Test
    void start_endpointAlreadyDown_comesBackAfterRise() throws Exception {
        Class<? extends SocketChannel> channelClass = transport("nio");
        server = new Server(0);
        Endpoint e = endpoint(server.port());
        e.healthy(false);
        List<Flip> flips = new CopyOnWriteArrayList<>();
        try (HealthChecker checker = new HealthChecker(List.of(e), group, channelClass, FAST,
                (ep, up) -> flips.add(new Flip(ep, up, 0, 0)))) {
            checker.start();
            // the listener hears of the flip after the endpoint's flag is set: wait for both
            await("the endpoint to come up and be reported", () -> e.healthy() && !flips.isEmpty());
            assertThat(flips).containsExactly(new Flip(e, true, 0, 0));
            assertThat(checker.successes()).isGreaterThanOrEqualTo(FAST.rise());
        }
    }

    @Test
    void start_disabled_checksNothingAndPutsEndpointsUp() throws Exception {
        Class<? extends SocketChannel> channelClass = transport("nio");
        Endpoint dead = endpoint(freePort());
        Endpoint wasDown = endpoint(freePort());
        wasDown.healthy(false);
        List<Flip> flips = new CopyOnWriteArrayList<>();
        HealthCheck off = new HealthCheck(false, Duration.ofMillis(10), Duration.ofMillis(10), 1, 1);
        HealthChecker checker = new HealthChecker(List.of(dead, wasDown), group, channelClass, off,
                (ep, up) -> flips.add(new Flip(ep, up, 0, 0)));
        checker.start();
        Thread.sleep(50); // five intervals, were any scheduled
        assertThat(checker.successes() + checker.failures()).isZero();
        assertThat(checker.openChannels()).isZero();
        assertThat(dead.healthy()).isTrue();
        assertThat(wasDown.healthy()).isTrue();
        assertThat(flips).containsExactly(new Flip(wasDown, true, 0, 0));
        checker.close();
        assertThatThrownBy(checker::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
