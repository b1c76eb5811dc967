package dev.portcullis.benchmarks;

import dev.portcullis.monitoring.Monitoring;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneSettings;
import dev.portcullis.router.NettyTransport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * CPU time of one Prometheus scrape (the whole text exposition, JVM meters included) for a policy of
 * {@code rules} rules: what a scraper costs the appliance every scrape interval. One thread, like the endpoint's
 * handler.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar MetricsScrape -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MetricsScrapeBenchmark {

    @Param({"100", "1000", "10000"})
    public int rules;

    private DataPlane plane;
    private Monitoring monitoring;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < rules - 1; i++) {
            r.append("  - {name: r").append(i).append(", source: [10.").append(i >> 16).append('.')
                    .append((i >> 8) & 255).append('.').append(i & 255).append("/32], action: drop}\n");
        }
        r.append("  - {name: web, destination: [service:web], action: accept}\n");
        plane = DataPlane.start(NettyTransport.best(), DataPlaneSettings.DEFAULT, PolicyLoader.compile("bench.yaml", """
                version: 1
                cluster:
                  name: bench
                  podCIDR: [127.1.0.0/16]
                  serviceCIDR: [127.96.0.0/16]
                  nodes: [{name: n1, address: 127.0.0.1, podCIDR: 127.1.1.0/24}]
                services:
                  web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:8080], healthCheck: {enabled: false}}
                rules:
                %s
                default: drop
                """.formatted(port, r)));
        Path state = Files.createTempDirectory("bench-scrape");
        monitoring = Monitoring.start(new ApplianceConfig(state, "bench", state.resolve("policy.yaml"),
                Optional.empty(), ApplianceConfig.DataPlane.DEFAULT, new ApplianceConfig.Logging(state, 100),
                new ApplianceConfig.Routes(false, ApplianceConfig.Routes.DEFAULT_PROTOCOL),
                new ApplianceConfig.State(state, ApplianceConfig.State.MIN_KEEP_REVISIONS), Optional.empty(),
                java.util.List.of(), Optional.empty(),
                Optional.empty()), plane, "bench", state);
    }

    @Benchmark
    public String scrape() {
        return monitoring.scrape();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        monitoring.close();
        plane.close();
    }
}
