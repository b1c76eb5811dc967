package dev.portcullis.router;

import dev.portcullis.policy.CpuAffinity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.policy.PolicyLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data plane over real sockets on loopback. The test "cluster" uses 127.1.0.0/16 as its pod network (Linux
 * answers on all of 127.0.0.0/8), 127.96.0.0/16 as its service range, and listeners on 127.0.0.1.
 */
class DataPlaneTest {

    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private DataPlane plane;

    /**
     * The transport the tests run on: the default one (epoll with TCP relayed directly on the event loops where
     * epoll is available). {@link DataPlaneOnChannelsTest} and {@link DataPlaneOnNioTest} run every test again on the
     * other two TCP paths.
     */
    NettyTransport transport() {
        return NettyTransport.best();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (plane != null) {
            plane.close();
        }
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static CompiledPolicy policy(String services, String rules) throws Exception {
        return PolicyLoader.compile("test.yaml", """
                version: 1
                cluster:
                  name: test
                  podCIDR: [127.1.0.0/16]
                  serviceCIDR: [127.96.0.0/16]
                  nodes:
                    - {name: n1, address: 127.0.0.1, podCIDR: 127.1.1.0/24}
                services:
                %s
                rules:
                %s
                default: drop
                """.formatted(services.indent(2).stripTrailing(), rules.indent(2).stripTrailing()));
    }

    /** A TCP server that answers each connection with a greeting naming itself, then echoes until EOF. */
    final class EchoPod implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger accepted = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong echoed = new java.util.concurrent.atomic.AtomicLong();
        final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final String name;

        EchoPod(String address, int port, String name) throws IOException {
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            this.name = name;
            Thread.ofVirtual().start(this::serve);
            closeLater.add(this);
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    sockets.add(s);
                    Thread.ofVirtual().start(() -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void echo(Socket s) {
            try (s) {
                OutputStream out = s.getOutputStream();
                out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) != -1) {
                    out.write(buf, 0, n);
                    echoed.addAndGet(n);
                }
                s.shutdownOutput();
            } catch (IOException e) {
                // the test closed it
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** A UDP pod that answers each datagram with {@code prefix} followed by the datagram. */
    private void udpEchoPod(String address, int port, String prefix) throws IOException {
        DatagramSocket pod = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), port));
        closeLater.add(pod);
        byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[2048];
            while (!pod.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    pod.receive(p);
                    byte[] reply = new byte[head.length + p.getLength()];
                    System.arraycopy(head, 0, reply, 0, head.length);
                    System.arraycopy(p.getData(), 0, reply, head.length, p.getLength());
                    pod.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    /** True when the connection ends without data: closed by the far side (EOF) or reset. */
    private static boolean refused(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Connects and expects the connection to end without data, or to be reset even before connect returns. */
    private static void assertRefused(int port) throws IOException {
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
            } catch (SocketException e) {
                return;
            }
            assertThat(refused(s)).isTrue();
        }
    }

    /** Connects and expects a reset (RST), at connect or at the first read. */
    private static void assertReset(int port) throws IOException {
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                s.getInputStream().read();
            } catch (SocketException e) {
                assertThat(e.getMessage()).containsIgnoringCase("reset");
                return;
            }
            throw new AssertionError("expected a reset from port " + port);
        }
    }

    @Test
    void tcp_admitted_relaysBothWaysAndCounts() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}".formatted(port, podPort),
                "- {name: web, destination: [service:web], action: accept}"));
        try (Socket s = connect(port)) {
            assertThat(readLine(s)).isEqualTo("pod-a");
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
            assertThat(readLine(s)).isEqualTo("ping");
        }
        await(() -> plane.connectionCount() == 0, "the connection is closed");
        ServiceCounters c = plane.counters().service("web");
        assertThat(c.total()).isEqualTo(1);
        assertThat(c.bytesIn()).isEqualTo(5);
        assertThat(c.bytesOut()).isEqualTo(11);
        assertThat(plane.counters().rule("web").hits()).isEqualTo(1);
        assertThat(plane.state().services().get("web").endpoints().getFirst().total()).isEqualTo(1);
    }

    /**
     * Invariant: however a connection ends (both sides close, half-close first, the client resets, the policy
     * drops it, the endpoint refuses), every descriptor the proxy opened for it is closed again: counted in
     * /proc/self/fd, which holds the test's own sockets and the pod's as well, so the count returns to where it was
     * only when all of them are gone.
     */
    @Test
    void tcp_connectionsEndedEveryWay_leaveNoDescriptorOpen() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "no /proc/self/fd on this system");
        int port = freePort();
        int dropPort = freePort();
        int deadPort = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                dropped: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                dead: {listen: [127.0.0.1:%d], endpoints: [127.1.1.11:%d], healthCheck: {enabled: false}}
                """.formatted(port, podPort, dropPort, podPort, deadPort, freePort()),
                """
                - {name: no-drop, destination: [service:dropped], action: drop}
                - {name: rest, action: accept}
                """));
        try (Socket s = connect(port)) { // warm up: whatever the first connection sets up for good is counted
            assertThat(readLine(s)).isEqualTo("pod");
        }
        await(() -> plane.connectionCount() == 0, "the warm-up connection is closed");
        Thread.sleep(200);
        long baseline = countEntries(fds);
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect(port)) { // both close
                assertThat(readLine(s)).isEqualTo("pod");
                s.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                assertThat(readLine(s)).isEqualTo("ping");
            }
            try (Socket s = connect(port)) { // half-close first, then read to the end
                assertThat(readLine(s)).isEqualTo("pod");
                s.shutdownOutput();
                assertThat(s.getInputStream().readAllBytes()).isEmpty();
            }
            Socket reset = connect(port); // the client aborts
            assertThat(readLine(reset)).isEqualTo("pod");
            reset.setSoLinger(true, 0);
            reset.close();
            assertThat(refusedAt(dropPort)).as("dropped by the policy").isTrue();
            assertThat(refusedAt(deadPort)).as("nothing listens at the endpoint").isTrue();
        }
        await(() -> plane.connectionCount() == 0, "every connection is closed");
        await(() -> countEntries(fds) <= baseline, "the descriptors are back to " + baseline);
    }

    /** True when a connection to {@code port} ends without data, the reset perhaps racing the connect itself. */
    private static boolean refusedAt(int port) throws IOException {
        try (Socket s = connect(port)) {
            return refused(s);
        } catch (SocketException e) {
            return e.getMessage().contains("reset");
        }
    }

    private static long countEntries(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void closeConnections_ofOneService_listsThemAndClosesOnlyThose() throws Exception {
        int webPort = freePort();
        int apiPort = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                api: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                """.formatted(webPort, podPort, apiPort, podPort),
                "- {name: all, action: accept}"));
        try (Socket web = connect(webPort); Socket api = connect(apiPort)) {
            assertThat(readLine(web)).isEqualTo("pod");
            assertThat(readLine(api)).isEqualTo("pod");
            await(() -> plane.connections().size() == 2, "both connections are registered");
            assertThat(plane.connections()).extracting(ConnectionInfo::service).containsExactlyInAnyOrder("web", "api");
            ConnectionInfo w = plane.connections().stream().filter(c -> c.service().equals("web")).findFirst()
                    .orElseThrow();
            assertThat(w.client().getPort()).isEqualTo(web.getLocalPort());
            assertThat(w.listener().getPort()).isEqualTo(webPort);
            assertThat(w.endpoint().getPort()).isEqualTo(podPort);

            assertThat(plane.closeConnections(java.util.Optional.of("web"))).isEqualTo(1);
            assertThat(refused(web)).isTrue();
            await(() -> plane.connections().size() == 1, "the web connection is gone");
            api.getOutputStream().write("still\n".getBytes(StandardCharsets.UTF_8));
            assertThat(readLine(api)).isEqualTo("still");
            assertThat(plane.closeConnections(java.util.Optional.empty())).isEqualTo(1);
            await(() -> plane.connections().isEmpty(), "every connection is gone");
        }
    }

    @Test
    void tcp_droppedAndRejected_closedWithoutReachingThePod() throws Exception {
        int dropPort = freePort();
        int rejectPort = freePort();
        int podPort = freePort();
        EchoPod pod = new EchoPod("127.1.1.10", podPort, "pod");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                a: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                b: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                """.formatted(dropPort, podPort, rejectPort, podPort),
                "- {name: no-b, destination: [service:b], action: reject}"));
        int dropClientPort;
        try (Socket s = connect(dropPort)) {
            dropClientPort = s.getLocalPort();
            assertThat(refused(s)).isTrue();
        }
        assertReset(rejectPort);
        // Decided flows are sampled for the console's verdict diff, newest first.
        List<FlowKey> recent = plane.recentFlows().snapshot();
        assertThat(recent).hasSize(2);
        assertThat(recent.get(0).destinationPort()).isEqualTo(rejectPort);
        assertThat(recent.get(1)).isEqualTo(new FlowKey(IpAddress.parse("127.0.0.1"), IpAddress.parse("127.0.0.1"),
                dropClientPort, dropPort, IpProtocols.TCP));
        assertThat(pod.accepted.get()).isZero();
        assertThat(plane.counters().refusals(RefusalReason.POLICY_DROP)).isEqualTo(1);
        assertThat(plane.counters().refusals(RefusalReason.POLICY_REJECT)).isEqualTo(1);
        assertThat(plane.counters().defaultRule().hits()).isEqualTo(1);
    }

    @Test
    void tcp_roundRobin_spreadsAndDeadEndpointLeavesRotation() throws Exception {
        int port = freePort();
        int podPort = freePort();
        EchoPod a = new EchoPod("127.1.1.10", podPort, "pod-a");
        new EchoPod("127.1.1.11", podPort, "pod-b");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d, 127.1.1.11:%d]
                  healthCheck: {interval: 100ms, timeout: 100ms, rise: 1, fall: 1}
                """.formatted(port, podPort, podPort), "- {name: web, destination: [service:web], action: accept}"));
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect(port)) {
                seen.add(readLine(s));
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("pod-a", "pod-a", "pod-b", "pod-b");
        a.close();
        Endpoint ea = plane.state().services().get("web").endpoints().getFirst();
        await(() -> !ea.healthy(), "pod-a is marked down");
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect(port)) {
                assertThat(readLine(s)).isEqualTo("pod-b");
            }
        }
    }

    @Test
    void tcp_endpointRefusesConnect_clientRelayedToTheOther() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.11", podPort, "pod-b"); // nothing listens on 127.1.1.10
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d, 127.1.1.11:%d]
                  healthCheck: {enabled: false}
                """.formatted(port, podPort, podPort), "- {name: web, destination: [service:web], action: accept}"));
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect(port)) {
                assertThat(readLine(s)).isEqualTo("pod-b");
            }
        }
        // Round robin turns once per choice, the retry included, so between two and all four start with the dead one.
        assertThat(plane.counters().service("web").refusals(RefusalReason.CONNECT_FAILED)).isBetween(2L, 4L);
        await(() -> plane.connectionCount() == 0 && plane.globalActive() == 0, "every connection is released");
    }

    @Test
    void tcp_endpointNeverAnswers_connectTimesOutAndTheOtherServes() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.11", podPort, "pod-b");
        // An endpoint whose accept queue is full: the kernel drops further SYNs, so a connect to it hangs.
        ServerSocket stalled = new ServerSocket();
        closeLater.add(stalled);
        stalled.bind(new InetSocketAddress("127.1.1.10", podPort), 1); // Java takes 0 as "the default", 50
        for (int i = 0; i < 4; i++) {
            java.nio.channels.SocketChannel filler = java.nio.channels.SocketChannel.open();
            closeLater.add(filler);
            filler.configureBlocking(false);
            filler.connect(new InetSocketAddress("127.1.1.10", podPort));
        }
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d, 127.1.1.11:%d]
                  healthCheck: {enabled: false}
                  timeouts: {connect: 300ms}
                """.formatted(port, podPort, podPort), "- {name: web, destination: [service:web], action: accept}"));
        for (int i = 0; i < 2; i++) {
            try (Socket s = connect(port)) {
                assertThat(readLine(s)).isEqualTo("pod-b");
            }
        }
        // Each retry turns the round robin once more, so both connections were tried on the stalled one first.
        assertThat(plane.counters().service("web").refusals(RefusalReason.CONNECT_FAILED)).isEqualTo(2);
    }

    @Test
    void tcp_wildcardListener_classifiesByTheAddressTheClientReached() throws Exception {
        int port = freePort();
        int podPort = freePort();
        EchoPod pod = new EchoPod("127.1.1.10", podPort, "pod-a");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy(
                "web: {listen: [0.0.0.0:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}"
                        .formatted(port, podPort),
                "- {name: one, destination: [127.0.0.1], destinationPorts: [%d], protocol: tcp, action: accept}"
                        .formatted(port)));
        try (Socket s = connect(port)) {
            assertThat(readLine(s)).isEqualTo("pod-a");
        }
        try (Socket s = new Socket()) { // 127.0.0.2 reaches the same socket, but the policy accepts 127.0.0.1 only
            s.connect(new InetSocketAddress("127.0.0.2", port), 2000);
            s.setSoTimeout(5000);
            assertThat(refused(s)).isTrue();
        }
        assertThat(pod.accepted.get()).isEqualTo(1);
        assertThat(plane.recentFlows().snapshot()).extracting(FlowKey::destination)
                .contains(IpAddress.parse("127.0.0.1"), IpAddress.parse("127.0.0.2"));
    }

    @Test
    void tcp_noHealthyEndpoint_refusedWithReason() throws Exception {
        int port = freePort();
        int podPort = freePort();
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d]
                  healthCheck: {interval: 100ms, timeout: 100ms, rise: 1, fall: 1}
                """.formatted(port, podPort), "- {name: web, destination: [service:web], action: accept}"));
        Endpoint e = plane.state().services().get("web").endpoints().getFirst();
        await(() -> !e.healthy(), "the endpoint with nothing listening is marked down");
        assertRefused(port);
        assertThat(plane.counters().service("web").refusals(RefusalReason.NO_HEALTHY_ENDPOINT)).isEqualTo(1);
    }

    @Test
    void onEndpointHealth_podStopsAndReturns_toldDownThenUpWithService() throws Exception {
        int port = freePort();
        int podPort = freePort();
        EchoPod pod = new EchoPod("127.1.1.10", podPort, "pod-a");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d]
                  healthCheck: {interval: 100ms, timeout: 100ms, rise: 1, fall: 1}
                """.formatted(port, podPort), "- {name: web, destination: [service:web], action: accept}"));
        List<String> events = new CopyOnWriteArrayList<>();
        plane.onEndpointHealth((service, endpoint, up) ->
                events.add(service + " " + endpoint.address() + (up ? " up" : " down")));
        pod.close();
        await(() -> !events.isEmpty(), "the listener hears of the endpoint going down");
        new EchoPod("127.1.1.10", podPort, "pod-a");
        await(() -> events.size() == 2, "the listener hears of the endpoint coming back");
        assertThat(events).containsExactly("web 127.1.1.10:%d down".formatted(podPort),
                "web 127.1.1.10:%d up".formatted(podPort));
    }

    @Test
    void tcp_halfClose_passesFinAndKeepsTheOtherDirection() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}".formatted(port, podPort),
                "- {name: web, destination: [service:web], action: accept}"));
        try (Socket s = connect(port)) {
            assertThat(readLine(s)).isEqualTo("pod-a");
            s.getOutputStream().write("last words".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput(); // the pod echoes until it sees our FIN, then closes its side
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("last words");
        }
    }

    /**
     * Invariant: what goes through arrives whole and in order, however the two sides' speeds differ. On every TCP
     * path (epoll direct, epoll through channels, NIO); epoll twice, because before {@link EpollKeepRegistered} Netty's epoll lost the half-closed client's
     * registration and cut the reply short in about 3 of 4 runs.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epoll", "epoll (again)", "epoll channels", "nio", "io_uring"})
    void tcp_largeTransferToSlowReader_arrivesIntact(String transport) throws Exception {
        assumeTrue(transport.startsWith("nio") || io.netty.channel.epoll.Epoll.isAvailable(), "native epoll unavailable");
        assumeTrue(!transport.equals("io_uring") || io.netty.channel.uring.IoUring.isAvailable(), "io_uring unavailable");
        int port = freePort();
        int podPort = freePort();
        EchoPod pod = new EchoPod("127.1.1.10", podPort, "pod-a");
        NettyTransport t = transport.startsWith("nio") ? NettyTransport.nio()
                : transport.equals("io_uring") ? NettyTransport.ioUring()
                : NettyTransport.epoll(!transport.endsWith("channels"));
        plane = DataPlane.start(t, DataPlaneSettings.DEFAULT, policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}".formatted(port, podPort),
                "- {name: web, destination: [service:web], action: accept}"));
        byte[] data = new byte[16 << 20];
        new Random(7).nextBytes(data);
        try (Socket s = connect(port)) {
            assertThat(readLine(s)).isEqualTo("pod-a");
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            long total = 0;
            int n;
            while ((n = in.read(buf)) != -1) {
                got.update(buf, 0, n);
                total += n;
                if (total < (1 << 20)) {
                    Thread.sleep(1); // a slow reader at first: the relay must hold back, not buffer everything
                }
            }
            writer.join();
            ServiceCounters sc = plane.counters().service("web");
            assertThat(total).as("received; proxy counted in %d out %d, pod echoed %d", sc.bytesIn(), sc.bytesOut(),
                    pod.echoed.get())
                    .isEqualTo(data.length);
            assertThat(got.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        }
    }

    /**
     * Invariant, against the simplest reference (the pod echoes, so each client must get back exactly what it
     * sent): many connections at once, each sending a random amount in random pieces with random pauses while its
     * reader runs, then half-closing. A lost readiness edge shows up as a connection that never finishes.
     */
    @Test
    void tcp_manyConnectionsRandomPiecesThenHalfClose_eachGetsItsBytesBack() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}"
                        .formatted(port, podPort),
                "- {name: web, destination: [service:web], action: accept}"));
        int clients = 40;
        List<java.util.concurrent.Future<String>> results = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                long seed = 1000 + c;
                results.add(pool.submit(() -> echoRandomly(port, seed)));
            }
            for (int c = 0; c < clients; c++) {
                assertThat(results.get(c).get(60, java.util.concurrent.TimeUnit.SECONDS)).as("client %d", c)
                        .isEqualTo("intact");
            }
        }
        await(() -> plane.connectionCount() == 0 && plane.globalActive() == 0, "every connection is released");
    }

    /** One client of the test above: "intact", or what went wrong. */
    private static String echoRandomly(int port, long seed) throws Exception {
        Random r = new Random(seed);
        byte[] data = new byte[r.nextInt(512 * 1024)];
        r.nextBytes(data);
        byte[] buf = new byte[1 + r.nextInt(16 * 1024)];
        try (Socket s = connect(port)) {
            s.setSoTimeout(30_000);
            if (!readLine(s).equals("pod-a")) {
                return "no greeting";
            }
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int at = 0; at < data.length; ) {
                        int n = Math.min(data.length - at, 1 + r.nextInt(r.nextBoolean() ? 100 : 70_000));
                        out.write(data, at, n);
                        at += n;
                        if (r.nextInt(8) == 0) {
                            Thread.sleep(r.nextInt(3));
                        }
                    }
                    s.shutdownOutput();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream(data.length);
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) != -1) {
                got.write(buf, 0, n);
            }
            writer.join();
            return java.util.Arrays.equals(got.toByteArray(), data) ? "intact"
                    : "got " + got.size() + " bytes of " + data.length;
        }
    }

    /**
     * Invariant: a client that stops reading stops the pod too, and the proxy holds a bounded amount meanwhile (one
     * buffer per direction, or the channel path's write queue), not the pod's whole output.
     */
    @Test
    void tcp_readerStalls_proxyHoldsBoundedMemory() throws Exception {
        int port = freePort();
        int podPort = freePort();
        long flood = 64L << 20;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        ServerSocket pod = new ServerSocket();
        closeLater.add(pod);
        pod.bind(new InetSocketAddress("127.1.1.10", podPort));
        Thread.ofVirtual().start(() -> {
            try (Socket s = pod.accept(); OutputStream out = s.getOutputStream()) {
                byte[] chunk = new byte[64 * 1024];
                for (long sent = 0; sent < flood; sent += chunk.length) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the test ended first
            }
        });
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}"
                        .formatted(port, podPort),
                "- {name: web, destination: [service:web], action: accept}"));
        io.netty.buffer.PooledByteBufAllocatorMetric pool =
                ((io.netty.buffer.PooledByteBufAllocator) NettyTransport.allocator()).metric();
        long before = pool.usedDirectMemory();
        try (Socket s = connect(port)) {
            s.setReceiveBufferSize(64 * 1024);
            // Wait until the pod can write no more: every buffer on the way is full.
            long last = -1;
            while (written.get() != last) {
                last = written.get();
                Thread.sleep(500);
            }
            long held = pool.usedDirectMemory() - before;
            assertThat(written.get()).as("the pod is held back long before its %d bytes", flood).isLessThan(flood / 2);
            assertThat(held).as("pooled direct memory the proxy took while the reader stalled")
                    .isLessThan(8L << 20);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) != -1) {
                total += n;
            }
            assertThat(total).isEqualTo(flood);
        }
    }

    @Test
    void tcp_endpointInServiceCidr_refusedByGuardEvenIfConfigured() throws Exception {
        int port = freePort();
        int podPort = freePort();
        EchoPod clusterIp = new EchoPod("127.96.0.10", podPort, "cluster-ip");
        // The loader refuses such an endpoint; build the policy by hand to prove the run-time guard holds anyway.
        CompiledPolicy valid = policy("web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}"
                .formatted(port, podPort), "- {name: web, destination: [service:web], action: accept}");
        var p = valid.policy();
        var s0 = p.services().getFirst();
        var bad = new dev.portcullis.policy.Service(s0.name(), s0.listen(), s0.protocol(),
                List.of(dev.portcullis.policy.HostPort.parse("127.96.0.10:" + podPort)), s0.balance(),
                s0.healthCheck(), s0.limits(), s0.timeouts(), false, s0.location());
        CompiledPolicy forged = CompiledPolicy.compile(new dev.portcullis.policy.Policy(p.source(), 1, p.cluster(),
                p.sets(), List.of(bad), p.rules(), p.defaultAction(), List.of()));
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, forged);
        assertRefused(port);
        Thread.sleep(300); // health checks would have probed by now (every 2 s, the first at once)
        assertThat(clusterIp.accepted.get()).isZero();
        assertThat(plane.counters().refusals(RefusalReason.CLUSTER_IP_GUARD)).isEqualTo(1);
    }

    @Test
    void tcp_perSourceConnectionLimit_refusesTheSecond() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d]
                  limits: {perSourceConnections: 1}
                """.formatted(port, podPort), "- {name: web, destination: [service:web], action: accept}"));
        try (Socket first = connect(port)) {
            assertThat(readLine(first)).isEqualTo("pod-a");
            assertRefused(port);
            assertThat(plane.counters().refusals(RefusalReason.SOURCE_CONNECTION_LIMIT)).isEqualTo(1);
        }
        await(() -> plane.connectionCount() == 0, "the first connection is closed");
        try (Socket third = connect(port)) {
            assertThat(readLine(third)).isEqualTo("pod-a");
        }
    }

    @Test
    void tcp_proxyProtocol_podSeesTheClientAddress() throws Exception {
        int port = freePort();
        int podPort = freePort();
        ServerSocket raw = new ServerSocket();
        raw.bind(new InetSocketAddress(InetAddress.getByName("127.1.1.10"), podPort));
        closeLater.add(raw);
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d]
                  proxyProtocol: v2
                  healthCheck: {enabled: false}
                """.formatted(port, podPort), "- {name: web, destination: [service:web], action: accept}"));
        try (Socket client = connect(port); Socket pod = raw.accept()) {
            client.getOutputStream().write('x');
            pod.setSoTimeout(5000);
            byte[] header = pod.getInputStream().readNBytes(16 + 12 + 1);
            // v2 signature, PROXY command, TCP over IPv4, 12 address bytes, then the client's byte.
            assertThat(header[12]).isEqualTo((byte) 0x21);
            assertThat(header[13]).isEqualTo((byte) 0x11);
            assertThat(InetAddress.getByAddress(java.util.Arrays.copyOfRange(header, 16, 20)).getHostAddress())
                    .isEqualTo("127.0.0.1");
            int clientPort = ((header[24] & 0xFF) << 8) | (header[25] & 0xFF);
            assertThat(clientPort).isEqualTo(client.getLocalPort());
            assertThat(((header[26] & 0xFF) << 8) | (header[27] & 0xFF)).isEqualTo(port);
            assertThat(header[28]).isEqualTo((byte) 'x');
        }
    }

    @Test
    void reload_addsAndRemovesListenersWithoutTouchingOthers() throws Exception {
        int keep = freePort();
        int drop = freePort();
        int add = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        String rules = "- {name: all, action: accept}";
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                keep: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}
                old: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}
                """.formatted(keep, podPort, drop, podPort), rules));
        try (Socket established = connect(keep)) {
            assertThat(readLine(established)).isEqualTo("pod-a");
            ReloadReport r = plane.apply(policy("""
                    keep: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}
                    new: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}
                    """.formatted(keep, podPort, add, podPort), rules));
            assertThat(r.added()).extracting(k -> k.address().port()).containsExactly(add);
            assertThat(r.removed()).extracting(k -> k.address().port()).containsExactly(drop);
            assertThat(r.servicesRebuilt()).containsExactly("new");
            established.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
            assertThat(readLine(established)).isEqualTo("still here");
        }
        try (Socket s = connect(add)) {
            assertThat(readLine(s)).isEqualTo("pod-a");
        }
        assertThatThrownBy(() -> connect(drop)).isInstanceOf(IOException.class);
    }

    @Test
    void reload_closeDenied_closesOnlyConnectionsTheNewPolicyRefuses() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        String services = "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}".formatted(port, podPort);
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT.withCloseDeniedOnReload(true),
                policy(services, "- {name: web, action: accept}"));
        try (Socket s = connect(port)) {
            assertThat(readLine(s)).isEqualTo("pod-a");
            ReloadReport r = plane.apply(policy(services, "- {name: nobody, source: [192.0.2.1], action: accept}"));
            assertThat(r.connectionsClosed()).isEqualTo(1);
            assertThat(refused(s)).isTrue();
        }
    }

    @Test
    void reload_listenerInUse_refusedAndRunningStateKept() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        String rules = "- {name: all, action: accept}";
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}".formatted(port, podPort), rules));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            RouterState before = plane.state();
            assertThatThrownBy(() -> plane.apply(policy("""
                    web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}
                    other: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}
                    """.formatted(port, podPort, taken.getLocalPort(), podPort), rules)))
                    .isInstanceOf(DataPlaneException.class).hasMessageContaining(":" + taken.getLocalPort());
            assertThat(plane.state()).isSameAs(before);
        }
        try (Socket s = connect(port)) {
            assertThat(readLine(s)).isEqualTo("pod-a");
        }
    }

    @Test
    void tcp_idleTimeout_closesTheSilentConnectionOnly() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d]
                  timeouts: {idle: 1s}
                  healthCheck: {enabled: false}
                """.formatted(port, podPort), "- {name: web, destination: [service:web], action: accept}"));
        try (Socket silent = connect(port); Socket busy = connect(port)) {
            assertThat(readLine(silent)).isEqualTo("pod-a");
            assertThat(readLine(busy)).isEqualTo("pod-a");
            silent.setSoTimeout(6000);
            long start = System.nanoTime();
            // The busy one sends a line every 200 ms for 3 s (three idle timeouts) and gets each back.
            for (int i = 0; i < 15; i++) {
                busy.getOutputStream().write(("ping " + i + "\n").getBytes(StandardCharsets.UTF_8));
                assertThat(readLine(busy)).isEqualTo("ping " + i);
                Thread.sleep(200);
            }
            assertThat(silent.getInputStream().read()).as("the silent connection was closed").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            busy.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
            assertThat(readLine(busy)).isEqualTo("still here");
        }
    }

    @Test
    void udp_flow_repliesComeFromTheListenerAndExpire() throws Exception {
        int port = freePort();
        int podPort = freePort();
        udpEchoPod("127.1.1.53", podPort, "echo:");
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                dns:
                  listen: [127.0.0.1:%d]
                  protocol: udp
                  endpoints: [127.1.1.53:%d]
                  timeouts: {idle: 1s}
                  healthCheck: {enabled: false}
                """.formatted(port, podPort), "- {name: dns, destination: [service:dns], protocol: udp, action: accept}"));
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(5000);
            InetSocketAddress listener = new InetSocketAddress("127.0.0.1", port);
            for (String msg : List.of("one", "two")) {
                byte[] b = msg.getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(b, b.length, listener));
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                client.receive(reply);
                assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8))
                        .isEqualTo("echo:" + msg);
                assertThat(reply.getSocketAddress()).isEqualTo(listener);
            }
        }
        ServiceCounters c = plane.counters().service("dns");
        assertThat(c.total()).isEqualTo(1);
        assertThat(c.bytesIn()).isEqualTo(6);
        await(() -> c.active() == 0, "the idle flow expires");
    }

    @Test
    void udp_denied_noDatagramReachesThePod() throws Exception {
        int port = freePort();
        int podPort = freePort();
        DatagramSocket pod = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.1.1.53"), podPort));
        closeLater.add(pod);
        pod.setSoTimeout(300);
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy("""
                dns: {listen: [127.0.0.1:%d], protocol: udp, endpoints: [127.1.1.53:%d], healthCheck: {enabled: false}}
                """.formatted(port, podPort), "- {name: only-doc, source: [192.0.2.1], action: accept}"));
        int clientPort;
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            clientPort = client.getLocalPort();
            for (int i = 0; i < 3; i++) {
                client.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress("127.0.0.1", port)));
            }
        }
        assertThatThrownBy(() -> pod.receive(new DatagramPacket(new byte[16], 16)))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(plane.counters().refusals(RefusalReason.POLICY_DROP)).isEqualTo(1);
        // One new flow, one decision: the later datagrams of the flow are not samples of their own.
        assertThat(plane.recentFlows().snapshot()).containsExactly(new FlowKey(IpAddress.parse("127.0.0.1"),
                IpAddress.parse("127.0.0.1"), clientPort, port, IpProtocols.UDP));
    }

    @Test
    void tcp_ipv6ListenerAndEndpoint_relay() throws Exception {
        int port = freePort();
        int podPort = freePort();
        ServerSocket pod = new ServerSocket();
        pod.bind(new InetSocketAddress(InetAddress.getByName("::1"), podPort));
        closeLater.add(pod);
        Thread.ofVirtual().start(() -> {
            try (Socket s = pod.accept()) {
                s.getOutputStream().write("v6 pod\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // closed by the test
            }
        });
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, PolicyLoader.compile("v6.yaml", """
                version: 1
                cluster:
                  name: v6
                  podCIDR: ["::1/128"]
                  serviceCIDR: ["fd00:10:96::/112"]
                  nodes: [{name: n, address: "::1", podCIDR: "::1/128"}]
                services:
                  web: {listen: ["[::1]:%d"], endpoints: ["[::1]:%d"], healthCheck: {enabled: false}}
                rules:
                  - {name: web, source: ["::1"], destination: [service:web], action: accept}
                """.formatted(port, podPort)));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("::1", port), 2000);
            s.setSoTimeout(5000);
            assertThat(readLine(s)).isEqualTo("v6 pod");
        }
        assertThat(plane.counters().rule("web").hits()).isEqualTo(1);
    }

    /** Invariant: the flow table never grows past its bound; a silent flow makes room, a busy table refuses. */
    @Test
    void udp_tableFull_evictsSilentFlowElseRefuses() throws Exception {
        int port = freePort();
        int podPort = freePort();
        udpEchoPod("127.1.1.53", podPort, "");
        DataPlaneSettings two = new DataPlaneSettings(1, 0, 2, false, 100, Duration.ofSeconds(1),
                CpuAffinity.AUTO);
        plane = DataPlane.start(transport(), two, policy("""
                dns: {listen: [127.0.0.1:%d], protocol: udp, endpoints: [127.1.1.53:%d], healthCheck: {enabled: false}}
                """.formatted(port, podPort), "- {name: dns, action: accept}"));
        InetSocketAddress listener = new InetSocketAddress("127.0.0.1", port);
        List<DatagramSocket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            c.setSoTimeout(1000);
            clients.add(c);
            closeLater.add(c);
        }
        assertThat(echo(clients.get(0), listener)).isTrue();
        assertThat(echo(clients.get(1), listener)).isTrue();
        assertThat(echo(clients.get(2), listener)).as("both flows are fresh: refused").isFalse();
        assertThat(plane.counters().refusals(RefusalReason.FLOW_TABLE_FULL)).isPositive();
        Thread.sleep(1200); // both flows now silent for over a second: evictable
        assertThat(echo(clients.get(2), listener)).as("the oldest silent flow was evicted").isTrue();
        assertThat(plane.counters().service("dns").active()).isEqualTo(2);
    }

    private static boolean echo(DatagramSocket client, InetSocketAddress to) throws IOException {
        client.send(new DatagramPacket(new byte[] {42}, 1, to));
        try {
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            client.receive(reply);
            return reply.getLength() == 1 && reply.getData()[0] == 42;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Invariant: a reload never makes a connection attempt fail on a listener that stays. */
    @Test
    void reload_underSteadyTraffic_noConnectionFails() throws Exception {
        int port = freePort();
        int podPort = freePort();
        new EchoPod("127.1.1.10", podPort, "pod-a");
        String services = "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d]}".formatted(port, podPort);
        plane = DataPlane.start(transport(), DataPlaneSettings.DEFAULT, policy(services,
                "- {name: web, action: accept}"));
        AtomicInteger ok = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread load = Thread.ofPlatform().start(() -> {
            while (!stop.get() && ok.get() < 5000) {
                try (Socket s = connect(port)) {
                    if (!readLine(s).equals("pod-a")) {
                        failures.add(new AssertionError("wrong greeting"));
                    }
                    ok.incrementAndGet();
                } catch (IOException e) {
                    failures.add(e);
                }
            }
        });
        for (int i = 0; i < 20; i++) {
            plane.apply(policy(services, "- {name: web, action: accept}\n- {name: extra-%d, source: [192.0.2.%d], "
                    .formatted(i, i + 1) + "action: drop}"));
            Thread.sleep(25);
        }
        stop.set(true);
        load.join();
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isPositive();
        assertThat(plane.state().revision()).isEqualTo(21);
    }
}
