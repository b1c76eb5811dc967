package dev.portcullis.monitoring;

import static dev.portcullis.monitoring.TestCluster.exchange;
import static dev.portcullis.monitoring.TestCluster.freePort;
import static dev.portcullis.monitoring.TestCluster.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.router.DataPlane;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** configs/grafana/portcullis.json is valid JSON and queries only metrics the endpoint really serves. */
class GrafanaDashboardTest {

    /** Prints every PromQL query of a Grafana dashboard (panel targets, variables, annotations), one a line. */
    private static final String EXTRACT = """
            import json, sys
            def walk(x):
                if isinstance(x, dict):
                    for k, v in x.items():
                        if k in ("expr", "definition") and isinstance(v, str):
                            print(v.replace("\\n", " "))
                        elif k == "query" and isinstance(v, str) and "(" in v:
                            print(v)
                        else:
                            walk(v)
                elif isinstance(x, list):
                    for v in x:
                        walk(v)
            walk(json.load(open(sys.argv[1])))
            """;

    private static final Pattern METRIC = Pattern.compile("\\b(?:portcullis|jvm|process|system)_[a-z0-9_]+\\b");

    private final TestCluster cluster = new TestCluster();
    private Monitoring monitoring;

    @AfterEach
    void tearDown() throws Exception {
        if (monitoring != null) {
            monitoring.close();
        }
        cluster.close();
    }

    @Test
    void dashboard_everyQueriedMetric_isInTheEndpointOutput() throws Exception {
        Tools.require("python3", "python3");
        Path dashboard = Tools.repo().resolve("configs/grafana/portcullis.json");
        Tools.Run queries = Tools.run(List.of("python3", "-c", EXTRACT, dashboard.toString()), "");
        assertThat(queries.exit()).as("the dashboard is valid JSON: " + queries.out()).isZero();

        Set<String> queried = new TreeSet<>();
        Matcher m = METRIC.matcher(queries.out());
        while (m.find()) {
            queried.add(m.group());
        }
        assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThan(15)
                .contains("portcullis_rule_hits_total", "portcullis_service_bytes_total", "portcullis_endpoint_up");

        int port = freePort();
        int podPort = freePort();
        cluster.pod("127.1.1.10", podPort, "pod");
        DataPlane plane = cluster.start(policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}"
                        .formatted(port, podPort), "- {name: web-in, destination: [service:web], action: accept}"));
        exchange(port, "x");
        monitoring = Monitoring.start(PrometheusEndpointTest.config(Optional.empty(), Optional.empty()), plane, "test",
                PrometheusEndpointTest.STATE);
        String exposition = monitoring.scrape();
        Set<String> served = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                served.add(line.split("[{ ]", 2)[0]);
            }
        }
        assertThat(served).as("metrics served").containsAll(queried);
    }
}
