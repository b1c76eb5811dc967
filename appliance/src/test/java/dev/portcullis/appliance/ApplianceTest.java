package dev.portcullis.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.ApplianceConfigReader;
import dev.portcullis.policy.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's wiring: start on a configuration directory, serve, reload (good and bad), stop. */
class ApplianceTest {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String policy(int listen, int pod, String extraRule) {
        return """
                version: 1
                cluster:
                  name: t
                  podCIDR: [127.77.0.0/16]
                  serviceCIDR: [127.96.0.0/16]
                  nodes: [{name: n, address: 127.0.0.1, podCIDR: 127.77.1.0/24}]
                services:
                  web: {listen: [127.0.0.1:%d], endpoints: [127.77.1.10:%d]}
                rules:
                %s  - {name: web, destination: [service:web], action: accept}
                """.formatted(listen, pod, extraRule);
    }

    /** A plain HTTP/1.0 GET over a socket; returns the body. */
    private static String get(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void start_reload_stop_servesAndRefusesABadPolicyKeepingTheRunningOne() throws Exception {
        int listen = freePort();
        int pod = freePort();
        Files.writeString(dir.resolve("appliance.yaml"), "node: t\npolicy: policy.yaml\ndataPlane: {drainTimeout: 1s}\n");
        Files.writeString(dir.resolve("policy.yaml"), policy(listen, pod, ""));
        var cfg = ApplianceConfigReader.read(dir);
        try (DemoPods pods = DemoPods.start(PolicyLoader.check(cfg.policy()).policy().orElseThrow())) {
            Appliance appliance = Appliance.start(cfg);
            try {
                assertThat(get(listen)).startsWith("hello from pod 127.77.1.10:" + pod);

                Files.writeString(dir.resolve("policy.yaml"), "version: 1\nrules: [oops\n");
                assertThat(appliance.reload()).isEmpty();
                assertThat(get(listen)).startsWith("hello from pod");

                Files.writeString(dir.resolve("policy.yaml"), policy(listen, pod,
                        "  - {name: deny-local, source: [127.0.0.1], action: reject}\n"));
                assertThat(appliance.reload()).isPresent();
                try (Socket s = new Socket()) {
                    // Refused: the reset comes on the first read, or already on connect when it arrives before
                    // connect returns.
                    int r;
                    try {
                        s.connect(new InetSocketAddress("127.0.0.1", listen), 2000);
                        s.setSoTimeout(5000);
                        r = s.getInputStream().read();
                    } catch (java.net.SocketException e) {
                        r = -1;
                    }
                    assertThat(r).isEqualTo(-1);
                }
                assertThat(appliance.dataPlane().counters().rule("deny-local").hits()).isEqualTo(1);
            } finally {
                appliance.stop();
            }
        }
    }

    @Test
    void start_withMetrics_servesThemAndAReloadCountsAsACommit() throws Exception {
        int listen = freePort();
        int pod = freePort();
        int metrics = freePort();
        Files.writeString(dir.resolve("appliance.yaml"), """
                node: t
                policy: policy.yaml
                dataPlane: {drainTimeout: 1s}
                logging: {directory: logs}
                metrics: {address: 127.0.0.1, port: %d}
                """.formatted(metrics));
        Files.writeString(dir.resolve("policy.yaml"), policy(listen, pod, ""));
        var cfg = ApplianceConfigReader.read(dir);
        try (DemoPods pods = DemoPods.start(PolicyLoader.check(cfg.policy()).policy().orElseThrow())) {
            Appliance appliance = Appliance.start(cfg);
            try {
                get(listen);
                String text = httpGet(metrics, "/metrics");
                assertThat(text).contains("portcullis_rule_hits_total{rule=\"web\"} 1.0",
                        "portcullis_policy_revision 1.0", "portcullis_policy_rules 1.0");

                Files.writeString(dir.resolve("policy.yaml"), policy(listen, pod,
                        "  - {name: other, source: [192.0.2.0/24], action: drop}\n"));
                assertThat(appliance.reload()).isPresent();
                text = httpGet(metrics, "/metrics");
                assertThat(text).contains("portcullis_policy_revision 2.0", "portcullis_policy_rules 2.0",
                        "portcullis_rule_hits_total{rule=\"other\"} 0.0", "portcullis_rule_hits_total{rule=\"web\"} 1.0");
                assertThat(appliance.monitoring().showMetrics())
                        .contains("policy: revision 2, 2 rules", "by " + Appliance.RELOAD_AUTHOR);
                assertThat(appliance.monitoring().notifications()
                        .sent(dev.portcullis.monitoring.Notification.Kind.COMMIT)).isEqualTo(1);
                assertThat(appliance.monitoring().showSnmp()).contains("agent: off");
            } finally {
                appliance.stop();
            }
            // Stopped: the metrics port is free again.
            try (ServerSocket s = new ServerSocket(metrics, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(metrics);
            }
        }
    }

    private static String httpGet(int port, String path) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: test\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200");
            return response;
        }
    }

    @Test
    void demoFiles_embedded_areValid() throws Exception {
        for (String name : DemoCommand.FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("demo/" + name)) {
                assertThat(in).as(name).isNotNull();
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        var cfg = ApplianceConfigReader.read(dir);
        var check = PolicyLoader.check(cfg.policy());
        assertThat(check.diagnostics()).isEmpty();
        assertThat(new String(Files.readAllBytes(cfg.policy()), StandardCharsets.UTF_8)).contains("127.0.0.2");
    }
}
