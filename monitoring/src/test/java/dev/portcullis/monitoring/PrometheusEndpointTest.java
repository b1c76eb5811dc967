package dev.portcullis.monitoring;

import dev.portcullis.policy.PasswordHash;
import static dev.portcullis.monitoring.TestCluster.await;
import static dev.portcullis.monitoring.TestCluster.exchange;
import static dev.portcullis.monitoring.TestCluster.freePort;
import static dev.portcullis.monitoring.TestCluster.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.RefusalReason;
import dev.portcullis.router.ServiceCounters;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint over a real data plane on loopback, checked by value and by promtool. */
class PrometheusEndpointTest {

    static final Path STATE = Path.of(System.getProperty("java.io.tmpdir"), "portcullis-monitoring-test");

    private final TestCluster cluster = new TestCluster();
    private Monitoring monitoring;

    @AfterEach
    void tearDown() throws Exception {
        if (monitoring != null) {
            monitoring.close();
        }
        cluster.close();
    }

    static ApplianceConfig config(Optional<ApplianceConfig.Metrics> metrics, Optional<ApplianceConfig.Snmp> snmp) {
        return new ApplianceConfig(Path.of("/tmp"), "edge-test", Path.of("/tmp/policy.yaml"), Optional.empty(),
                ApplianceConfig.DataPlane.DEFAULT, new ApplianceConfig.Logging(Path.of("/tmp"), 100),
                new ApplianceConfig.Routes(false, ApplianceConfig.Routes.DEFAULT_PROTOCOL),
                new ApplianceConfig.State(STATE, ApplianceConfig.State.MIN_KEEP_REVISIONS), Optional.empty(),
                java.util.List.of(), metrics, snmp);
    }

    private static ApplianceConfig.Metrics metricsOn(int port, Optional<ApplianceConfig.BasicAuth> auth) {
        return new ApplianceConfig.Metrics(IpAddress.parse("127.0.0.1"), port, auth);
    }

    /** A GET of {@code path}; the status and the body (an error body for 4xx). */
    record Response(int status, String body, String contentType) {
    }

    static Response get(int port, String path, String authorization) throws IOException {
        return request("GET", port, path, authorization);
    }

    static Response request(String method, int port, String path, String authorization) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                .openConnection();
        c.setRequestMethod(method);
        if (authorization != null) {
            c.setRequestProperty("Authorization", authorization);
        }
        int status = c.getResponseCode();
        InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Response(status, body, c.getContentType());
    }

    /** The value of the one sample named {@code series} exactly (name and labels as printed). */
    static double sample(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        if (!m.find()) {
            throw new AssertionError("no sample " + series + " in:\n" + exposition);
        }
        return Double.parseDouble(m.group(1));
    }

    private DataPlane startWebPlane(int port, int podPort) throws Exception {
        cluster.pod("127.1.1.10", podPort, "pod-a");
        return cluster.start(policy("""
                web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                """.formatted(port, podPort), """
                - {name: web-in, destination: [service:web], action: accept}
                - {name: never, source: [192.0.2.0/24], action: drop}
                """));
    }

    @Test
    void metrics_afterRealTraffic_valuesEqualTheCountersAndPromtoolAccepts() throws Exception {
        int port = freePort();
        DataPlane plane = startWebPlane(port, freePort());
        for (int i = 0; i < 3; i++) {
            exchange(port, "hello-" + i);
        }
        await(() -> plane.globalActive() == 0, "the connections are closed");
        int metricsPort = freePort();
        monitoring = Monitoring.start(config(Optional.of(metricsOn(metricsPort, Optional.empty())), Optional.empty()),
                plane, "test", STATE);

        Response r = get(metricsPort, "/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo(MetricsEndpoint.CONTENT_TYPE);
        String text = r.body();
        ServiceCounters web = plane.counters().service("web");
        assertThat(web.total()).isEqualTo(3);
        assertThat(sample(text, "portcullis_rule_hits_total{rule=\"web-in\"}")).isEqualTo(3);
        assertThat(sample(text, "portcullis_rule_hits_total{rule=\"never\"}")).isZero();
        assertThat(sample(text, "portcullis_rule_last_hit_timestamp_seconds{rule=\"web-in\"}"))
                .isEqualTo(plane.counters().rule("web-in").lastHitMillis() / 1000.0);
        assertThat(sample(text, "portcullis_service_connections_total{service=\"web\"}")).isEqualTo(3);
        assertThat(sample(text, "portcullis_service_active_connections{service=\"web\"}")).isZero();
        assertThat(sample(text, "portcullis_service_bytes_total{direction=\"in\",service=\"web\"}"))
                .isEqualTo(web.bytesIn()).isEqualTo(3 * "hello-0\n".length());
        assertThat(sample(text, "portcullis_service_bytes_total{direction=\"out\",service=\"web\"}"))
                .isEqualTo(web.bytesOut());
        assertThat(sample(text, "portcullis_service_refusals_total{reason=\"policy-drop\",service=\"web\"}"))
                .isZero();
        String endpoint = "endpoint=\"127.1.1.10:" + plane.state().services().get("web").endpoints().getFirst()
                .address().port() + "\",service=\"web\"";
        assertThat(sample(text, "portcullis_endpoint_up{" + endpoint + "}")).isEqualTo(1);
        assertThat(sample(text, "portcullis_endpoint_connections_total{" + endpoint + "}")).isEqualTo(3);
        assertThat(sample(text, "portcullis_classifier_lookups_total")).isEqualTo(3);
        assertThat(text).contains("jvm_memory_used_bytes", "process_cpu_usage", "jvm_threads_live_threads");
        assertThat(text).as("no label carries the client address").doesNotContain("\"127.0.0.1");

        Tools.require("promtool", "prometheus");
        Tools.Run check = Tools.run(List.of("promtool", "check", "metrics"), text);
        assertThat(check.out()).as("promtool check metrics").isEmpty();
        assertThat(check.exit()).isZero();
    }

    @Test
    void metrics_refusalsAndDefaultAction_countedByReason() throws Exception {
        int port = freePort();
        DataPlane plane = startWebPlane(port, freePort());
        int closedPort = freePort();
        monitoring = Monitoring.start(config(Optional.empty(), Optional.empty()), plane, "test", STATE);
        plane.apply(policy("""
                web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                """.formatted(port, closedPort), "- {name: web-in, destination: [service:web], action: reject}"));
        assertThat(TestCluster.refused(port)).isTrue();
        await(() -> plane.counters().refusals(RefusalReason.POLICY_REJECT) == 1, "the reject is counted");
        String text = monitoring.scrape();
        assertThat(sample(text, "portcullis_refusals_total{reason=\"policy-reject\"}")).isEqualTo(1);
        assertThat(sample(text, "portcullis_service_refusals_total{reason=\"policy-reject\",service=\"web\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "portcullis_default_action_hits_total")).isZero();
    }

    @Test
    void metrics_reloadKeepsRuleByName_removedRuleUnregistered() throws Exception {
        int port = freePort();
        int podPort = freePort();
        DataPlane plane = startWebPlane(port, podPort);
        monitoring = Monitoring.start(config(Optional.empty(), Optional.empty()), plane, "test", STATE);
        exchange(port, "one");
        exchange(port, "two");
        assertThat(sample(monitoring.scrape(), "portcullis_rule_hits_total{rule=\"web-in\"}")).isEqualTo(2);

        // The rule moves to another place and a rule before it goes away: its counter continues by name.
        plane.apply(policy("""
                web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}
                """.formatted(port, podPort), """
                - {name: first, source: [198.51.100.0/24], action: drop}
                - {name: web-in, destination: [service:web], action: accept}
                """));
        exchange(port, "three");
        String text = monitoring.scrape();
        assertThat(sample(text, "portcullis_rule_hits_total{rule=\"web-in\"}")).isEqualTo(3);
        assertThat(sample(text, "portcullis_rule_hits_total{rule=\"first\"}")).isZero();
        assertThat(text).doesNotContain("rule=\"never\"");
    }

    @Test
    void metrics_basicAuth_refusesWithoutOrWithWrongCredentials() throws Exception {
        int port = freePort();
        DataPlane plane = startWebPlane(port, freePort());
        int metricsPort = freePort();
        String hash = PasswordHash.hash("s3cret-pass".toCharArray());
        monitoring = Monitoring.start(config(Optional.of(metricsOn(metricsPort,
                Optional.of(new ApplianceConfig.BasicAuth("prom", hash)))), Optional.empty()), plane, "test", STATE);

        Response none = get(metricsPort, "/metrics", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(get(metricsPort, "/metrics", basic("prom", "wrong")).status()).isEqualTo(401);
        assertThat(get(metricsPort, "/metrics", basic("other", "s3cret-pass")).status()).isEqualTo(401);
        assertThat(get(metricsPort, "/metrics", "Bearer x").status()).isEqualTo(401);
        Response ok = get(metricsPort, "/metrics", basic("prom", "s3cret-pass"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).contains("portcullis_rule_hits_total");
        // The second scrape with the same header is answered from the remembered digest.
        assertThat(get(metricsPort, "/metrics", basic("prom", "s3cret-pass")).status()).isEqualTo(200);
    }

    @Test
    void metrics_otherPathsAndMethods_refused() throws Exception {
        int port = freePort();
        DataPlane plane = startWebPlane(port, freePort());
        int metricsPort = freePort();
        monitoring = Monitoring.start(config(Optional.of(metricsOn(metricsPort, Optional.empty())), Optional.empty()),
                plane, "test", STATE);
        assertThat(get(metricsPort, "/", null).status()).isEqualTo(404);
        assertThat(get(metricsPort, "/metrics/x", null).status()).isEqualTo(404);
        assertThat(request("POST", metricsPort, "/metrics", null).status()).isEqualTo(405);
        assertThat(request("HEAD", metricsPort, "/metrics", null).status()).isEqualTo(200);
    }

    @Test
    void start_addressInUse_failsWithItsAddressAndLeavesNothingRunning() throws Exception {
        int port = freePort();
        DataPlane plane = startWebPlane(port, freePort());
        assertThatThrownBy(() -> Monitoring.start(config(Optional.of(metricsOn(port, Optional.empty())),
                Optional.empty()), plane, "test", STATE))
                .isInstanceOf(MonitoringException.class)
                .hasMessageContaining("cannot serve metrics on 127.0.0.1");
    }

    @Test
    void showMetrics_summarisesEndpointPolicyAndServices() throws Exception {
        int port = freePort();
        DataPlane plane = startWebPlane(port, freePort());
        int metricsPort = freePort();
        monitoring = Monitoring.start(config(Optional.of(metricsOn(metricsPort, Optional.empty())), Optional.empty()),
                plane, "test", STATE);
        exchange(port, "x");
        monitoring.controlPlane().policyCommitted(new ControlPlaneMetrics.PolicyRevision(7, 2,
                java.time.Instant.parse("2026-11-28T09:00:00Z"), "alice"));
        String text = monitoring.showMetrics();
        assertThat(text).contains("metrics endpoint: http://127.0.0.1:" + metricsPort + "/metrics (no authentication)")
                .contains("policy: revision 7, 2 rules, committed 2026-11-28T09:00:00Z by alice")
                .containsPattern("web +active \\d, total 1, bytes in 2, out \\d+, refused 0, endpoints 1 of 1 up");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
