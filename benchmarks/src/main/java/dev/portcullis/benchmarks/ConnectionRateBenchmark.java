package dev.portcullis.benchmarks;

import dev.portcullis.monitoring.Monitoring;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.IpAddress;
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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * New connections per second through a real data plane on loopback, with monitoring off or on. "On" is the
 * appliance as it runs with {@code metrics} and {@code snmp} configured, and a scraper fetching {@code /metrics}
 * over HTTP every 15 s (Prometheus's default) or every 100 ms (150 times as often). Each
 * operation opens a connection through the proxy, reads the pod's one-byte answer, and closes.
 *
 * <p>The data plane's counters count in both cases (they are part of the data plane); what differs is everything
 * monitoring adds. The policy has 1,000 rules so that a scrape has realistic work.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ConnectionRate -f 1 -wi 3 -w 5s -i 5 -r 5s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConnectionRateBenchmark {

    /**
     * {@code off}, or monitoring on with a scrape every 15 s (Prometheus's default interval) or every 100 ms (150
     * times as often, to make a scrape's cost visible).
     */
    @Param({"off", "15s", "100ms"})
    public String monitoring;

    private int scrapeMillis;

    private ServerSocket pod;
    private DataPlane plane;
    private Monitoring mon;
    private Thread scraper;
    private volatile boolean running;
    private int port;
    private final AtomicLong scrapes = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pod = new ServerSocket();
        pod.setReuseAddress(true);
        pod.bind(new InetSocketAddress(InetAddress.getByName("127.1.1.10"), 0), 1024);
        running = true;
        Thread.ofPlatform().daemon().name("pod").start(this::serve);
        port = freePort();
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 999; i++) {
            rules.append("  - {name: r").append(i).append(", source: [198.51.").append(i / 250).append('.')
                    .append(i % 250).append("/32], action: drop}\n");
        }
        rules.append("  - {name: web, destination: [service:web], action: accept}\n");
        plane = DataPlane.start(NettyTransport.best(), DataPlaneSettings.DEFAULT, PolicyLoader.compile("bench.yaml", """
                version: 1
                cluster:
                  name: bench
                  podCIDR: [127.1.0.0/16]
                  serviceCIDR: [127.96.0.0/16]
                  nodes: [{name: n1, address: 127.0.0.1, podCIDR: 127.1.1.0/24}]
                services:
                  web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                rules:
                %s
                default: drop
                """.formatted(port, pod.getLocalPort(), rules)));
        if (!monitoring.equals("off")) {
            scrapeMillis = switch (monitoring) {
                case "15s" -> 15_000;
                case "100ms" -> 100;
                default -> throw new IllegalArgumentException("monitoring " + monitoring + " is not off, 15s or 100ms");
            };
            int metricsPort = freePort();
            Path state = Files.createTempDirectory("bench-snmp");
            ApplianceConfig config = new ApplianceConfig(state, "bench", state.resolve("policy.yaml"),
                    Optional.empty(), ApplianceConfig.DataPlane.DEFAULT,
                    new ApplianceConfig.Logging(state, 100),
                    new ApplianceConfig.Routes(false, ApplianceConfig.Routes.DEFAULT_PROTOCOL),
                    new ApplianceConfig.State(state, ApplianceConfig.State.MIN_KEEP_REVISIONS), Optional.empty(), java.util.List.of(),
                    Optional.of(new ApplianceConfig.Metrics(IpAddress.parse("127.0.0.1"), metricsPort,
                            Optional.empty())),
                    Optional.of(new ApplianceConfig.Snmp(IpAddress.parse("127.0.0.1"), freePort(), Optional.empty(),
                            List.of(), false, List.of(), 10, "", "")));
            mon = Monitoring.start(config, plane, "bench", state);
            URI uri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
            scraper = Thread.ofPlatform().daemon().name("scraper").start(() -> scrape(uri));
        }
    }

    private void scrape(URI uri) {
        while (running) {
            try (InputStream in = uri.toURL().openStream()) {
                in.transferTo(OutputStream.nullOutputStream());
                scrapes.incrementAndGet();
                Thread.sleep(scrapeMillis);
            } catch (IOException e) {
                throw new IllegalStateException("scrape failed", e);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void serve() {
        while (running) {
            try (Socket s = pod.accept()) {
                s.getOutputStream().write('x');
            } catch (IOException e) {
                if (running) {
                    throw new IllegalStateException("pod failed", e);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Benchmark
    public int connect() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            int b = s.getInputStream().read();
            if (b != 'x') {
                throw new IllegalStateException("refused or cut: read " + b);
            }
            return b;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        running = false;
        if (scraper != null) {
            scraper.interrupt();
            System.out.printf("%nscrapes during the trial: %d%n", scrapes.get());
        }
        if (mon != null) {
            mon.close();
        }
        plane.close();
        pod.close();
    }
}
