package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.audit.AuditLog;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneSettings;
import dev.portcullis.router.NettyTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real console for tests: a data plane on loopback with a service {@code web} in front of an echo pod on
 * 127.1.1.10, an in-memory configuration backend holding the same policy, and an audit log in {@code dir}.
 */
public final class ConsoleFixture implements AutoCloseable {

    public final Path dir;
    public final int webPort;
    public final String policyText;
    public final DataPlane plane;
    public final AuditLog audit;
    public final InMemoryConfigBackend config;
    public final Console console;
    private final ServerSocket pod;
    private final List<Socket> podSockets = new CopyOnWriteArrayList<>();

    private ConsoleFixture(Path dir) throws Exception {
        this.dir = dir;
        this.pod = new ServerSocket();
        pod.bind(new InetSocketAddress(InetAddress.getByName("127.1.1.10"), 0));
        Thread.ofVirtual().start(this::serve);
        this.webPort = freePort();
        this.policyText = policy(webPort, pod.getLocalPort());
        this.plane = DataPlane.start(NettyTransport.best(), DataPlaneSettings.DEFAULT,
                PolicyLoader.compile("policy.yaml", policyText));
        this.audit = new AuditLog(dir.resolve("logs"), 1 << 20, 3);
        this.config = new InMemoryConfigBackend(policyText);
        this.console = new Console(new DataPlaneView(plane, Optional.empty(), "edge-test", "9.9-test",
                dir.resolve("logs/decisions.log")), config, audit, dir.resolve("uploads"));
    }

    public static ConsoleFixture start(Path dir) throws Exception {
        return new ConsoleFixture(dir);
    }

    public static String policy(int webPort, int podPort) {
        return """
                version: 1
                cluster:
                  name: test
                  podCIDR: [127.1.0.0/16]
                  serviceCIDR: [127.96.0.0/16]
                  nodes:
                    - {name: node-a, address: 127.0.0.1, podCIDR: 127.1.1.0/24}
                services:
                  web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                rules:
                  - {name: web, destination: [service:web], protocol: tcp, action: accept}
                  - {name: no-telnet, destinationPorts: [23], action: reject}
                default: drop
                """.formatted(webPort, podPort);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void serve() {
        while (!pod.isClosed()) {
            try {
                Socket s = pod.accept();
                podSockets.add(s);
                Thread.ofVirtual().start(() -> echo(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write("pod\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    /** Opens a connection through the data plane to the pod and waits for its greeting. */
    public Socket connectWeb() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", webPort), 2000);
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            // the greeting
        }
        return s;
    }

    @Override
    public void close() throws Exception {
        plane.close();
        pod.close();
        for (Socket s : podSockets) {
            s.close();
        }
        audit.close();
    }
}
