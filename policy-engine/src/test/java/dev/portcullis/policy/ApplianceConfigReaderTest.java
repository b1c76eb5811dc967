package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApplianceConfigReaderTest {

    private static final Path DIR = Path.of("/etc/portcullis");

    @Test
    void parse_full_readsEveryKeyAndResolvesPaths() throws Exception {
        ApplianceConfig c = ApplianceConfigReader.parse(DIR, "appliance.yaml", """
                node: edge1
                policy: policies/prod.yaml
                management: {address: 192.0.2.5}
                dataPlane: {ioThreads: 4, maxConnections: 1000, maxUdpFlowsPerListener: 10, closeDeniedOnReload: true,
                            drainTimeout: 10s}
                logging: {directory: /var/log/portcullis, decisionsPerSecond: 5}
                routes: {manage: true, protocol: 99}
                """);
        assertThat(c.node()).isEqualTo("edge1");
        assertThat(c.policy()).isEqualTo(Path.of("/etc/portcullis/policies/prod.yaml"));
        assertThat(c.managementAddress()).contains(IpAddress.parse("192.0.2.5"));
        assertThat(c.dataPlane()).isEqualTo(new ApplianceConfig.DataPlane(4, 1000, 10, true, Duration.ofSeconds(10)));
        assertThat(c.logging()).isEqualTo(new ApplianceConfig.Logging(Path.of("/var/log/portcullis"), 5));
        assertThat(c.routes()).isEqualTo(new ApplianceConfig.Routes(true, 99));
    }

    @Test
    void parse_minimal_usesDefaults() throws Exception {
        ApplianceConfig c = ApplianceConfigReader.parse(DIR, "appliance.yaml", "node: e\npolicy: p.yaml\n");
        assertThat(c.dataPlane()).isEqualTo(ApplianceConfig.DataPlane.DEFAULT);
        assertThat(c.routes().manage()).isFalse();
        assertThat(c.logging().directory()).isEqualTo(Path.of("/etc/portcullis/logs"));
    }

    @Test
    void parse_bad_reportsEveryProblemWithPlace() {
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml", """
                node: e
                policy: p.yaml
                dataPlane: {ioThread: 4, drainTimeout: soon}
                routes: {manage: yes}
                """))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).report())
                        .contains("appliance.yaml:3:13: error: unknown key 'ioThread' in dataPlane")
                        .contains("did you mean 'ioThreads'?")
                        .contains("appliance.yaml:3:40: error: drainTimeout 'soon' is not a positive duration")
                        .contains("appliance.yaml:4:18: error: manage must be true or false, not 'yes'"));
    }
}
