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
                            drainTimeout: 10s, cpuAffinity: [2, 3], transport: io_uring}
                logging: {directory: /var/log/portcullis, decisionsPerSecond: 5}
                routes: {manage: true, protocol: 99}
                state: {directory: /var/lib/portcullis, keepRevisions: 200}
                """);
        assertThat(c.node()).isEqualTo("edge1");
        assertThat(c.policy()).isEqualTo(Path.of("/etc/portcullis/policies/prod.yaml"));
        assertThat(c.managementAddress()).contains(IpAddress.parse("192.0.2.5"));
        assertThat(c.dataPlane()).isEqualTo(new ApplianceConfig.DataPlane(4, 1000, 10, true, Duration.ofSeconds(10),
                new CpuAffinity.Cpus(java.util.List.of(2, 3)), IoTransport.IO_URING));
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
    void parse_cpuAffinityWords_readAutoAndNone() throws Exception {
        assertThat(ApplianceConfigReader.parse(DIR, "appliance.yaml",
                "node: e\npolicy: p.yaml\ndataPlane: {cpuAffinity: none}\n").dataPlane().cpuAffinity())
                .isEqualTo(CpuAffinity.NONE);
        assertThat(ApplianceConfigReader.parse(DIR, "appliance.yaml",
                "node: e\npolicy: p.yaml\ndataPlane: {cpuAffinity: auto}\n").dataPlane().cpuAffinity())
                .isEqualTo(CpuAffinity.AUTO);
    }

    @Test
    void parse_transportWords_readEachAndRefuseOthersWithPlace() throws Exception {
        for (IoTransport t : IoTransport.values()) {
            assertThat(ApplianceConfigReader.parse(DIR, "appliance.yaml",
                    "node: e\npolicy: p.yaml\ndataPlane: {transport: " + t.word() + "}\n").dataPlane().transport())
                    .isEqualTo(t);
        }
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml",
                "node: e\npolicy: p.yaml\ndataPlane: {transport: dpdk}\n"))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).report())
                        .contains("appliance.yaml:3:24: error: unknown transport 'dpdk'")
                        .contains("epoll (the default), io_uring or nio"));
    }

    @Test
    void parse_badCpuAffinity_reportsPlaceAndReason() {
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml", """
                node: e
                policy: p.yaml
                dataPlane: {cpuAffinity: [1, 1, -2, 4096]}
                """))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).report())
                        .contains("appliance.yaml:3:30: error: CPU 1 is listed twice in cpuAffinity")
                        .contains("appliance.yaml:3:33: error: CPU number '-2' is not a whole number from 0 to 1023")
                        .contains("appliance.yaml:3:37: error: CPU number '4096' is not a whole number from 0 to "
                                + "1023"));
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml",
                "node: e\npolicy: p.yaml\ndataPlane: {cpuAffinity: pinned}\n"))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).report())
                        .contains("appliance.yaml:3:26: error: unknown cpuAffinity 'pinned'")
                        .contains("auto (each event loop on a CPU of its own), none, or a list of CPU numbers"));
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml",
                "node: e\npolicy: p.yaml\ndataPlane: {cpuAffinity: []}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("appliance.yaml:3:26: error: cpuAffinity lists no CPU");
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

    private static final String KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDqEhLbcVhU1E0ZX33ABcT2R4hFmu1192FwPWDQmMIPR alice@laptop";

    @Test
    void parse_sshAndUsers_readsEveryKey() throws Exception {
        ApplianceConfig c = ApplianceConfigReader.parse(DIR, "appliance.yaml", """
                node: e
                policy: p.yaml
                management: {address: 127.0.0.1}
                ssh:
                  port: 2222
                  hostKeys: keys
                  uploads: /srv/uploads
                  passwordLogin: true
                  idleTimeout: 5m
                  maxSessions: 8
                  maxSessionsPerUser: 2
                  lockout: {delayAfter: 2, delay: 500ms, lockAfter: 4, window: 1m, duration: 2m}
                  auditMaxSize: 1MB
                  auditFiles: 3
                users:
                  - {name: alice, role: admin, keys: ["%s"]}
                  - {name: bob, role: auditor, password: "$pbkdf2-sha256$i=600000$c2FsdA==$aGFzaA=="}
                """.formatted(KEY));
        assertThat(c.ssh()).contains(new ApplianceConfig.Ssh(2222, Path.of("/etc/portcullis/keys"),
                Path.of("/srv/uploads"), true, Duration.ofMinutes(5), 8, 2,
                new ApplianceConfig.Lockout(2, Duration.ofMillis(500), 4, Duration.ofMinutes(1), Duration.ofMinutes(2)),
                1024 * 1024, 3));
        assertThat(c.users()).extracting(ApplianceConfig.User::name, ApplianceConfig.User::role)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", ApplianceConfig.Role.ADMIN),
                        org.assertj.core.groups.Tuple.tuple("bob", ApplianceConfig.Role.AUDITOR));
        assertThat(c.users().get(0).keys()).containsExactly(KEY);
        assertThat(c.users().get(1).passwordHash()).contains("$pbkdf2-sha256$i=600000$c2FsdA==$aGFzaA==");
    }

    @Test
    void parse_noSsh_consoleOff() throws Exception {
        ApplianceConfig c = ApplianceConfigReader.parse(DIR, "appliance.yaml", "node: e\npolicy: p.yaml\n");
        assertThat(c.ssh()).isEmpty();
        assertThat(c.users()).isEmpty();
    }

    @Test
    void parse_sshEmpty_usesDefaults() throws Exception {
        ApplianceConfig c = ApplianceConfigReader.parse(DIR, "appliance.yaml", """
                node: e
                policy: p.yaml
                management: {address: 127.0.0.1}
                ssh:
                users: [{name: alice, role: admin, keys: ["%s"]}]
                """.formatted(KEY));
        assertThat(c.ssh()).contains(ApplianceConfig.Ssh.defaults(DIR));
        assertThat(c.ssh().get().passwordLogin()).isFalse();
    }

    @Test
    void parse_badSshAndUsers_reportsEveryProblemWithPlace() {
        assertThatThrownBy(() -> ApplianceConfigReader.parse(DIR, "appliance.yaml", """
                node: e
                policy: p.yaml
                ssh: {port: 70000, passwordLogin: yes, auditMaxSize: 10 MB, lockout: {delay: now}}
                users:
                  - {name: Alice, role: admin, keys: ["ssh-ed25519"]}
                  - {name: bob, role: root, keys: ["ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIDqEhLbcVhU1E0ZX33ABcT2R4hFmu1192FwPWDQmMIPR"]}
                  - {name: carol, role: operator, password: hunter2}
                  - {name: dave, role: operator}
                  - {name: dave, role: auditor, keys: ["%s"]}
                """.formatted(KEY)))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).report())
                        .contains("appliance.yaml:3:1: error: ssh needs management.address")
                        .contains("appliance.yaml:3:13: error: port '70000' is not a whole number from 1 to 65535")
                        .contains("appliance.yaml:3:35: error: passwordLogin must be true or false, not 'yes'")
                        .contains("appliance.yaml:3:54: error: auditMaxSize '10 MB' is not a size")
                        .contains("appliance.yaml:3:78: error: delay 'now' is not a positive duration")
                        .contains("appliance.yaml:5:12: error: user name 'Alice' is not valid")
                        .contains("appliance.yaml:5:39: error: public key must be 'TYPE BASE64 [COMMENT]'")
                        .contains("appliance.yaml:6:23: error: unknown role 'root'")
                        .contains("appliance.yaml:6:36: error: public key data does not hold a key of type 'ssh-rsa'")
                        .contains("appliance.yaml:7:45: error: password must be a hash made by 'portcullis hash-password'")
                        .contains("appliance.yaml:8:12: error: user 'dave' has no keys and no password")
                        .contains("appliance.yaml:9:12: error: user 'dave' is declared twice"));
    }
}
