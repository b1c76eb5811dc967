package dev.portcullis.monitoring;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneSettings;
import dev.portcullis.router.NettyTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A data plane on loopback with echo pods, for tests: 127.1.0.0/16 is the pod network, 127.96.0.0/16 the service
 * range, listeners are on 127.0.0.1. Everything it starts is closed by {@link #close()}.
 */
final class TestCluster implements AutoCloseable {

    final List<AutoCloseable> closeLater = new ArrayList<>();
    DataPlane plane;

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

    DataPlane start(CompiledPolicy policy) throws Exception {
        plane = DataPlane.start(NettyTransport.best(), DataPlaneSettings.DEFAULT, policy);
        return plane;
    }

    /** A TCP pod that answers each connection with its name and a newline, then echoes until EOF. */
    EchoPod pod(String address, int port, String name) throws IOException {
        EchoPod p = new EchoPod(address, port, name);
        closeLater.add(p);
        return p;
    }

    static final class EchoPod implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final String name;

        EchoPod(String address, int port, String name) throws IOException {
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            this.name = name;
            Thread.ofVirtual().start(this::serve);
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
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
                }
                s.shutdownOutput();
            } catch (IOException e) {
                // closed by the test
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

    /** Connects to 127.0.0.1:{@code port}, reads the greeting, sends {@code payload}, reads it back, closes. */
    static String exchange(int port, String payload) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            String greeting = readLine(s);
            s.getOutputStream().write((payload + "\n").getBytes(StandardCharsets.UTF_8));
            String echoed = readLine(s);
            if (!echoed.equals(payload)) {
                throw new IOException("echo of '" + payload + "' came back as '" + echoed + "'");
            }
            return greeting;
        }
    }

    /** Connects and expects to be refused (closed or reset without data). */
    static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            return s.getInputStream().read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        if (plane != null) {
            plane.close();
        }
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }
}
