package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.ApplianceConfig.BasicAuth;
import dev.portcullis.policy.ApplianceConfig.Community;
import dev.portcullis.policy.ApplianceConfig.Metrics;
import dev.portcullis.policy.ApplianceConfig.SnmpAuth;
import dev.portcullis.policy.ApplianceConfig.SnmpPrivacy;
import dev.portcullis.policy.ApplianceConfig.SnmpUser;
import dev.portcullis.policy.ApplianceConfig.TrapTarget;
import dev.portcullis.policy.ApplianceConfig.TrapVersion;
import dev.portcullis.policy.ApplianceConfig.UsmKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MonitoringConfigReaderTest {

    private static final Path DIR = Path.of("/etc/portcullis");
    private static final String HASH = "$pbkdf2-sha256$i=210000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==";

    private static ApplianceConfig parse(String extra) throws PolicyException {
        return ApplianceConfigReader.parse(DIR, "appliance.yaml", "node: e\npolicy: p.yaml\n" + extra);
    }

    private static String report(String extra) {
        try {
            parse(extra);
        } catch (PolicyException e) {
            return e.report();
        }
        throw new AssertionError("no error for:\n" + extra);
    }

    @Test
    void parse_noSections_monitoringOff() throws Exception {
        ApplianceConfig c = parse("");
        assertThat(c.metrics()).isEmpty();
        assertThat(c.snmp()).isEmpty();
    }

    @Test
    void parse_metrics_readsEveryKey() throws Exception {
        ApplianceConfig c = parse("metrics: {address: 192.0.2.5, port: 9100, basicAuth: {user: prom, passwordHash: \""
                + HASH + "\"}}\n");
        assertThat(c.metrics()).contains(new Metrics(IpAddress.parse("192.0.2.5"), 9100,
                Optional.of(new BasicAuth("prom", HASH))));
    }

    @Test
    void parse_metricsWithoutAddress_usesManagementAddressAndDefaultPort() throws Exception {
        ApplianceConfig c = parse("management: {address: 10.0.0.1}\nmetrics: {}\n");
        assertThat(c.metrics()).contains(new Metrics(IpAddress.parse("10.0.0.1"), Metrics.DEFAULT_PORT,
                Optional.empty()));
    }

    @Test
    void parse_metricsWithoutAnyAddress_reportsWhere() {
        assertThat(report("metrics: {port: 9100}\n"))
                .contains("appliance.yaml:3:10: error: metrics has no 'address' and there is no management address");
    }

    @Test
    void parse_badMetrics_reportsEachProblemWithPlace() {
        assertThat(report("""
                metrics:
                  address: 300.1.1.1
                  port: 70000
                  basicAuth: {user: "a:b", passwordHash: hunter2}
                """))
                .contains("appliance.yaml:4:12: error: malformed metrics address")
                .contains("appliance.yaml:5:9: error: port '70000' is not a whole number from 1 to 65535")
                .contains("appliance.yaml:6:21: error: basicAuth user 'a:b' must not contain ':'")
                .contains("appliance.yaml:6:42: error: passwordHash is not of the form $pbkdf2-sha256$i=ITERATIONS$SALT$HASH")
                .contains("portcullis hash-password");
    }

    @Test
    void parse_snmp_readsEveryKey() throws Exception {
        ApplianceConfig c = parse("""
                snmp:
                  address: 127.0.0.1
                  port: 16100
                  community: {name: public, allowedSources: [127.0.0.2, 192.0.2.0/24]}
                  users:
                    - {name: nms, auth: sha256, authPassphrase: authpass1, privacy: aes128, privPassphrase: privpass1}
                    - {name: ops, auth: sha512, authPassphrase: authpass2, privacy: aes256, privPassphrase: privpass2}
                  contact: noc@example.net
                  location: rack 4
                  notifications:
                    perMinute: 3
                    targets:
                      - {address: 127.0.0.1, port: 16200, version: v2c}
                      - {address: 127.0.0.1, version: v3, user: nms}
                """);
        ApplianceConfig.Snmp s = c.snmp().orElseThrow();
        assertThat(s.address()).isEqualTo(IpAddress.parse("127.0.0.1"));
        assertThat(s.port()).isEqualTo(16100);
        assertThat(s.community()).contains(new Community("public",
                List.of(IpPrefix.parse("127.0.0.2"), IpPrefix.parse("192.0.2.0/24"))));
        assertThat(s.users()).containsExactly(
                new SnmpUser("nms", Optional.of(new UsmKeys(SnmpAuth.SHA256, "authpass1", SnmpPrivacy.AES128,
                        "privpass1"))),
                new SnmpUser("ops", Optional.of(new UsmKeys(SnmpAuth.SHA512, "authpass2", SnmpPrivacy.AES256,
                        "privpass2"))));
        assertThat(s.allowUnauthenticatedV3()).isFalse();
        assertThat(s.contact()).isEqualTo("noc@example.net");
        assertThat(s.location()).isEqualTo("rack 4");
        assertThat(s.notificationsPerMinute()).isEqualTo(3);
        assertThat(s.trapTargets()).containsExactly(
                new TrapTarget(IpAddress.parse("127.0.0.1"), 16200, TrapVersion.V2C, "public"),
                new TrapTarget(IpAddress.parse("127.0.0.1"), 162, TrapVersion.V3, "nms"));
    }

    @Test
    void parse_userWithoutKeys_refusedUnlessUnauthenticatedAllowed() throws Exception {
        assertThat(report("snmp: {address: 127.0.0.1, users: [{name: anon}]}\n"))
                .contains("appliance.yaml:3:43: error: SNMP user 'anon' has no keys, and unauthenticated SNMPv3 is "
                        + "refused")
                .contains("allowUnauthenticatedV3: true");
        ApplianceConfig c = parse("snmp: {address: 127.0.0.1, allowUnauthenticatedV3: true, users: [{name: anon}]}\n");
        assertThat(c.snmp().orElseThrow().users()).containsExactly(new SnmpUser("anon", Optional.empty()));
    }

    @Test
    void parse_badSnmp_reportsEachProblemWithPlace() {
        assertThat(report("""
                snmp:
                  address: 127.0.0.1
                  community: {name: public, allowedSources: []}
                  users:
                    - {name: nms, auth: md5, authPassphrase: short, privacy: des, privPassphrase: privpass1}
                    - {name: nms, auth: sha256}
                  notifications:
                    targets:
                      - {address: 127.0.0.1, version: v3, user: nobody}
                      - {address: 127.0.0.1, version: v1}
                """))
                .contains("appliance.yaml:5:45: error: allowedSources must be a non-empty list")
                .contains("appliance.yaml:7:25: error: auth 'md5' is not one of sha224, sha256, sha384, sha512")
                .contains("appliance.yaml:7:46: error: authPassphrase is shorter than 8 characters")
                .contains("appliance.yaml:7:62: error: privacy 'des' is not one of aes128, aes192, aes256")
                .contains("appliance.yaml:8:14: error: SNMP user 'nms' is defined twice (first at appliance.yaml:7:14)")
                .contains("appliance.yaml:11:49: error: target user 'nobody' is not one of snmp's users")
                .contains("appliance.yaml:12:39: error: version 'v1' is not one of v2c, v3");
    }

    @Test
    void parse_secrets_neverInToString() throws Exception {
        ApplianceConfig c = parse("""
                snmp:
                  address: 127.0.0.1
                  community: {name: s3cret-community, allowedSources: [127.0.0.1]}
                  users: [{name: nms, auth: sha256, authPassphrase: authpass1, privacy: aes128, privPassphrase: privpass1}]
                metrics: {address: 127.0.0.1, basicAuth: {user: prom, passwordHash: "%s"}}
                """.formatted(HASH));
        assertThat(c.toString()).doesNotContain("s3cret-community", "authpass1", "privpass1", HASH);
    }

    @Test
    void parse_unknownKey_suggestsClosest() {
        assertThatThrownBy(() -> parse("snmp: {address: 127.0.0.1, comunity: x}\n"))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).report())
                        .contains("appliance.yaml:3:28: error: unknown key 'comunity' in snmp")
                        .contains("did you mean 'community'?"));
    }
}
