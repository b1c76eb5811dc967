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
                state: {directory: /var/lib/portcullis, keepRevisions: 200}
                """);
        assertThat(c.node()).isEqualTo("edge1");
        assertThat(c.policy()).isEqualTo(Path.of("/etc/portcullis/policies/prod.yaml"));
        assertThat(c.managementAddress()).contains(IpAddress.parse("192.0.2.5"));
        assertThat(c.dataPlane()).isEqualTo(new ApplianceConfig.DataPlane(4, 1000, 10, true, Duration.ofSeconds(10)));
        assertThat(c.logging()).isEqualTo(new ApplianceConfig.Logging(Path.of("/var/log/portcullis"), 5));
        assertThat(c.routes()).isEqualTo(new ApplianceConfig.Routes(true, 99));
        assertThat(c.state()).isEqualTo(new ApplianceConfig.State(Path.of("/var/lib/portcullis"), 200));
    }

    @Test
    void parse_minimal_usesDefaults() throws Exception {
        ApplianceConfig c = ApplianceConfigReader.parse(DIR, "appliance.yaml", "node: e\npolicy: p.yaml\n");
        assertThat(c.dataPlane()).isEqualTo(ApplianceConfig.DataPlane.DEFAULT);
        assertThat(c.routes().manage()).isFalse();
        assertThat(c.logging().directory()).isEqualTo(Path.of("/etc/portcullis/logs"));
        assertThat(c.state()).isEqualTo(new ApplianceConfig.State(Path.of("/etc/portcullis/state"), 50));
    }

    @Test
    void parse_stateRelativeDirectory_resolvesAgainstConfigDirectory() throws Exception {
        ApplianceConfig c = ApplianceConfigReader.parse(DIR, "appliance.yaml",
                "node: e\npolicy: p.yaml\nstate: {directory: data/state}\n");
        assertThat(c.state()).isEqualTo(new ApplianceConfig.State(Path.of("/etc/portcullis/data/state"), 50));
    }

    @Test
    void parse_badState_reportsPlaceAndReason() {
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml", """
                node: e
                policy: p.yaml
                state: {directory: state, keepRevisions: 10, directry: x}
                """))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).report())
                        .contains("appliance.yaml:3:42: error: keepRevisions '10' is not a whole number from 50 "
                                + "to 10000")
                        .contains("appliance.yaml:3:46: error: unknown key 'directry' in state")
                        .contains("did you mean 'directory'?"));
    }

    @Test
    void parse_stateNotMapping_isAnError() {
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml",
                "node: e\npolicy: p.yaml\nstate: /var/lib/portcullis\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("appliance.yaml:3:8: error: state must be a mapping of keys to values, "
                        + "not a scalar");
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
