package dev.portcullis.monitoring;

import static dev.portcullis.monitoring.PrometheusEndpointTest.config;
import static dev.portcullis.monitoring.TestCluster.await;
import static dev.portcullis.monitoring.TestCluster.exchange;
import static dev.portcullis.monitoring.TestCluster.freePort;
import static dev.portcullis.monitoring.TestCluster.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.Endpoint;
import dev.portcullis.router.ServiceCounters;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SNMP agent against net-snmp's own tools (snmpget, snmpwalk, snmpbulkwalk, snmptrapd) on loopback, after real
 * TCP traffic went through a real data plane. Each test skips when a tool is missing (.ci/run installs them).
 */
class SnmpAgentTest {

    static final String PC = ".1.3.6.1.4.1.32473";
    static final String AUTH = "auth-pass-1";
    static final String PRIV = "priv-pass-1";

    private final TestCluster cluster = new TestCluster();
    private final List<Process> processes = new ArrayList<>();
    private Monitoring monitoring;
    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        if (monitoring != null) {
            monitoring.close();
        }
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        cluster.close();
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    static ApplianceConfig.Snmp snmp(int port, List<String> allowed, boolean allowUnauthenticated,
                                     List<ApplianceConfig.TrapTarget> targets) {
        return new ApplianceConfig.Snmp(IpAddress.parse("127.0.0.1"), port,
                Optional.of(new ApplianceConfig.Community("public", allowed.stream().map(IpPrefix::parse).toList())),
                List.of(new ApplianceConfig.SnmpUser("nms", Optional.of(new ApplianceConfig.UsmKeys(
                        ApplianceConfig.SnmpAuth.SHA256, AUTH, ApplianceConfig.SnmpPrivacy.AES128, PRIV)))),
                allowUnauthenticated, targets, 100, "noc@example.net", "rack 4");
    }

    private int port;
    private int podPort;
    private int snmpPort;

    /** A data plane with service web (one pod, checked every 100 ms) that has carried three connections. */
    private DataPlane planeWithTraffic() throws Exception {
        port = freePort();
        podPort = freePort();
        cluster.pod("127.1.1.10", podPort, "pod-a");
        DataPlane plane = cluster.start(policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d]
                  healthCheck: {interval: 100ms, timeout: 100ms, rise: 1, fall: 1}
                """.formatted(port, podPort), """
                - {name: web-in, destination: [service:web], action: accept}
                - {name: blocked, source: [192.0.2.0/24], action: reject}
                """));
        for (int i = 0; i < 3; i++) {
            exchange(port, "hello-" + i);
        }
        await(() -> plane.globalActive() == 0, "the connections are closed");
        return plane;
    }

    private void startAgent(DataPlane plane, List<String> allowed, boolean allowUnauthenticated,
                            List<ApplianceConfig.TrapTarget> targets) throws Exception {
        snmpPort = freeUdpPort();
        monitoring = Monitoring.start(config(Optional.empty(),
                Optional.of(snmp(snmpPort, allowed, allowUnauthenticated, targets))), plane, "test", tmp);
    }

    private String agent() {
        return "udp:127.0.0.1:" + snmpPort;
    }

    private List<String> v3(String tool, String auth, String priv) {
        return new ArrayList<>(List.of(tool, "-v3", "-l", "authPriv", "-u", "nms", "-a", "SHA-256", "-A", auth,
                "-x", "AES", "-X", priv, "-t", "2", "-r", "1", "-On"));
    }

    private static Tools.Run run(List<String> command) throws Exception {
        return Tools.run(command, "");
    }

    private static long number(Tools.Run r) {
        assertThat(r.exit()).as(r.out()).isZero();
        return Long.parseLong(r.out().strip());
    }

    @Test
    void v2cGet_afterTraffic_valuesEqualTheCounters() throws Exception {
        Tools.require("snmpget", "snmp");
        DataPlane plane = planeWithTraffic();
        startAgent(plane, List.of("127.0.0.0/8"), false, List.of());
        ServiceCounters web = plane.counters().service("web");
        // Rule "web-in" is the first name the agent saw: index 1; "blocked" is 2; service web is 1.
        List<String> get = List.of("snmpget", "-v2c", "-c", "public", "-t", "2", "-r", "1", "-On", "-Oqv", agent());
        assertThat(number(run(plus(get, PC + ".1.2.1.4.1")))).isEqualTo(3).isEqualTo(plane.counters().rule("web-in")
                .hits());
        assertThat(number(run(plus(get, PC + ".1.2.1.4.2")))).isZero();
        assertThat(run(plus(get, PC + ".1.2.1.2.1")).out().strip()).isEqualTo("\"web-in\"");
        assertThat(number(run(plus(get, PC + ".1.2.1.3.2")))).isEqualTo(3); // reject
        assertThat(number(run(plus(get, PC + ".1.3.1.4.1")))).isEqualTo(3).isEqualTo(web.total());
        assertThat(number(run(plus(get, PC + ".1.3.1.5.1")))).isEqualTo(web.bytesIn()).isPositive();
        assertThat(number(run(plus(get, PC + ".1.3.1.6.1")))).isEqualTo(web.bytesOut()).isPositive();
        assertThat(number(run(plus(get, PC + ".1.5.1.5.1")))).isEqualTo(podPort);
        assertThat(number(run(plus(get, PC + ".1.5.1.6.1")))).isEqualTo(1); // up
        assertThat(run(plus(get, ".1.3.6.1.2.1.1.5.0")).out().strip()).isEqualTo("\"edge-test\"");
        assertThat(run(plus(get, ".1.3.6.1.2.1.1.2.0")).out().strip()).isEqualTo(PC + ".3.1");
    }

    @Test
    void v2cWalk_ruleAndServiceTables_oneRowPerRuleAndService() throws Exception {
        Tools.require("snmpwalk", "snmp");
        DataPlane plane = planeWithTraffic();
        startAgent(plane, List.of("127.0.0.1"), false, List.of());
        Tools.Run walk = run(List.of("snmpwalk", "-v2c", "-c", "public", "-On", agent(), PC + ".1"));
        assertThat(walk.exit()).as(walk.out()).isZero();
        assertThat(walk.out()).contains(PC + ".1.2.1.2.1 = STRING: \"web-in\"",
                PC + ".1.2.1.2.2 = STRING: \"blocked\"", PC + ".1.2.1.4.1 = Counter64: 3",
                PC + ".1.3.1.2.1 = STRING: \"web\"", PC + ".1.3.1.4.1 = Counter64: 3",
                PC + ".1.4.1.2.1.1 = Counter64: 0", PC + ".1.5.1.4.1 = Hex-STRING: 7F 01 01 0A",
                PC + ".1.1.6.0 = Counter64: 3");
        assertThat(walk.out()).doesNotContain("No Such", "End of MIB view");
        // A GETNEXT walk is in strictly increasing OID order: net-snmp would stop with "OID not increasing".
        assertThat(walk.out()).doesNotContain("not increasing");
    }

    @Test
    void v3BulkWalk_interfaces_realKernelInterfacesWithHcCounters() throws Exception {
        Tools.require("snmpbulkwalk", "snmp");
        DataPlane plane = planeWithTraffic();
        startAgent(plane, List.of("127.0.0.1"), false, List.of());
        int lo = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).strip());
        long before = Long.parseLong(Files.readString(Path.of("/sys/class/net/lo/statistics/rx_bytes")).strip());
        Tools.Run walk = run(plus(v3("snmpbulkwalk", AUTH, PRIV), agent(), ".1.3.6.1.2.1.31.1.1"));
        long after = Long.parseLong(Files.readString(Path.of("/sys/class/net/lo/statistics/rx_bytes")).strip());
        assertThat(walk.exit()).as(walk.out()).isZero();
        assertThat(walk.out()).contains(".1.3.6.1.2.1.31.1.1.1.1." + lo + " = STRING: \"lo\"");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.1\\.3\\.6\\.1\\.2\\.1\\.31\\.1\\.1\\.1\\.6\\."
                + lo + " = Counter64: (\\d+)").matcher(walk.out());
        assertThat(m.find()).as(walk.out()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isBetween(before, after);
        Tools.Run ifTable = run(plus(v3("snmpwalk", AUTH, PRIV), agent(), ".1.3.6.1.2.1.2.2.1.2"));
        assertThat(ifTable.out()).contains(".1.3.6.1.2.1.2.2.1.2." + lo + " = STRING: \"lo\"");
    }

    @Test
    void v3_wrongKey_refused() throws Exception {
        Tools.require("snmpget", "snmp");
        startAgent(planeWithTraffic(), List.of("127.0.0.1"), false, List.of());
        Tools.Run ok = run(plus(v3("snmpget", AUTH, PRIV), agent(), ".1.3.6.1.2.1.1.5.0"));
        assertThat(ok.exit()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("edge-test");
        Tools.Run wrongAuth = run(plus(v3("snmpget", "wrong-pass-1", PRIV), agent(), ".1.3.6.1.2.1.1.5.0"));
        assertThat(wrongAuth.exit()).isNotZero();
        assertThat(wrongAuth.out()).contains("Authentication failed for nms").doesNotContain("edge-test");
        Tools.Run wrongPriv = run(plus(v3("snmpget", AUTH, "wrong-pass-2"), agent(), ".1.3.6.1.2.1.1.5.0"));
        assertThat(wrongPriv.exit()).isNotZero();
        assertThat(wrongPriv.out()).doesNotContain("edge-test");
        assertThat(monitoring.showSnmp()).containsPattern("[1-9][0-9]* wrong digest");
    }

    @Test
    void v3_unauthenticated_refusedUnlessAllowed() throws Exception {
        Tools.require("snmpget", "snmp");
        DataPlane plane = planeWithTraffic();
        startAgent(plane, List.of("127.0.0.1"), false, List.of());
        List<String> noAuth = List.of("snmpget", "-v3", "-l", "noAuthNoPriv", "-u", "nms", "-t", "2", "-r", "1",
                agent(), ".1.3.6.1.2.1.1.5.0");
        Tools.Run refused = run(noAuth);
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.out()).doesNotContain("edge-test");

        monitoring.close();
        startAgent(plane, List.of("127.0.0.1"), true, List.of());
        Tools.Run allowed = run(plus(noAuth.subList(0, noAuth.size() - 2), agent(), ".1.3.6.1.2.1.1.5.0"));
        assertThat(allowed.exit()).as(allowed.out()).isZero();
        assertThat(allowed.out()).contains("edge-test");
    }

    @Test
    void v2c_sourceNotAllowed_noAnswer() throws Exception {
        Tools.require("snmpget", "snmp");
        startAgent(planeWithTraffic(), List.of("127.0.0.2"), false, List.of());
        List<String> get = List.of("snmpget", "-v2c", "-c", "public", "-t", "1", "-r", "0");
        Tools.Run fromLo = run(plus(get, agent(), ".1.3.6.1.2.1.1.5.0"));
        assertThat(fromLo.exit()).isNotZero();
        assertThat(fromLo.out()).contains("Timeout").doesNotContain("edge-test");
        Tools.Run fromAllowed = run(plus(get, "--clientaddr=127.0.0.2", agent(), ".1.3.6.1.2.1.1.5.0"));
        assertThat(fromAllowed.exit()).as(fromAllowed.out()).isZero();
        assertThat(fromAllowed.out()).contains("edge-test");
        Tools.Run wrongCommunity = run(List.of("snmpget", "-v2c", "-c", "private", "-t", "1", "-r", "0",
                "--clientaddr=127.0.0.2", agent(), ".1.3.6.1.2.1.1.5.0"));
        assertThat(wrongCommunity.out()).contains("Timeout");
        assertThat(monitoring.showSnmp()).contains("1 bad community, 1 source not allowed");
    }

    @Test
    void mib_namesResolveToTheAgentsObjects() throws Exception {
        Tools.require("snmpget", "snmp");
        Path base = baseMibs();
        org.junit.jupiter.api.Assumptions.assumeTrue(base != null,
                "no SNMPv2-SMI to load PORTCULLIS-MIB with (Debian package erlang-snmp): skipping");
        startAgent(planeWithTraffic(), List.of("127.0.0.1"), false, List.of());
        Tools.Run r = run(List.of("snmpget", "-v2c", "-c", "public", "-M", base + ":" + Tools.repo()
                .resolve("configs/mib"), "-m", "PORTCULLIS-MIB", agent(), "PORTCULLIS-MIB::pcRuleHits.1",
                "PORTCULLIS-MIB::pcRuleName.1", "PORTCULLIS-MIB::pcServiceTotal.1",
                "PORTCULLIS-MIB::pcEndpointState.1", "PORTCULLIS-MIB::pcRefusalCount.1.policyReject"));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("PORTCULLIS-MIB::pcRuleHits.1 = Counter64: 3",
                "PORTCULLIS-MIB::pcRuleName.1 = STRING: web-in", "PORTCULLIS-MIB::pcServiceTotal.1 = Counter64: 3",
                "PORTCULLIS-MIB::pcEndpointState.1 = INTEGER: up(1)",
                "PORTCULLIS-MIB::pcRefusalCount.1.policyReject = Counter64: 0");
    }

    @Test
    void smilint_mib_clean() throws Exception {
        Tools.require("smilint", "smitools");
        Path base = baseMibs();
        org.junit.jupiter.api.Assumptions.assumeTrue(base != null,
                "no SNMPv2-SMI for smilint to check PORTCULLIS-MIB against (Debian package erlang-snmp): skipping");
        ProcessBuilder pb = new ProcessBuilder("smilint", "-l", "3",
                Tools.repo().resolve("configs/mib/PORTCULLIS-MIB.txt").toString()).redirectErrorStream(true);
        pb.environment().put("SMIPATH", base.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        assertThat(out).as("smilint -l 3 output").isEmpty();
        // smilint exits 0 even when it cannot find an import; make sure the imports were really read.
        ProcessBuilder strict = new ProcessBuilder("smilint", "-l", "9",
                Tools.repo().resolve("configs/mib/PORTCULLIS-MIB.txt").toString()).redirectErrorStream(true);
        strict.environment().put("SMIPATH", "/nonexistent");
        Process q = strict.start();
        assertThat(new String(q.getInputStream().readAllBytes())).contains("failed to locate MIB module");
        q.waitFor();
    }

    @Test
    void trap_everyKind_snmptrapdReceivesV2cAndV3() throws Exception {
        Tools.require("snmptrapd", "snmptrapd");
        DataPlane plane = planeWithTraffic();
        int trapPort = freeUdpPort();
        List<ApplianceConfig.TrapTarget> targets = List.of(
                new ApplianceConfig.TrapTarget(IpAddress.parse("127.0.0.1"), trapPort, ApplianceConfig.TrapVersion.V2C,
                        "public"),
                new ApplianceConfig.TrapTarget(IpAddress.parse("127.0.0.1"), trapPort, ApplianceConfig.TrapVersion.V3,
                        "nms"));
        // The engine ID is the node's, known before start: snmptrapd needs it for the v3 user.
        String engine = java.util.HexFormat.of().formatHex(dev.portcullis.monitoring.snmp.SnmpAgent
                .engineId("edge-test"));
        Path conf = tmp.resolve("snmptrapd.conf");
        Files.writeString(conf, """
                createUser -e 0x%s nms SHA-256 %s AES %s
                authCommunity log public
                authUser log nms priv
                """.formatted(engine, AUTH, PRIV));
        Path log = tmp.resolve("traps.log");
        Process trapd = new ProcessBuilder(Tools.find("snmptrapd").toString(), "-f", "-n", "-On", "-C", "-c",
                conf.toString(), "-Lf", log.toString(), "--doNotRetainNotificationLogs=yes",
                "--persistentDir=" + tmp, "udp:127.0.0.1:" + trapPort).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("trapd.out").toFile()).start();
        processes.add(trapd);
        await(() -> Files.exists(log) && read(log).contains("NET-SNMP version"), "snmptrapd has started");

        startAgent(plane, List.of("127.0.0.1"), false, targets);
        await(() -> count(read(log), PC + ".0.1") == 2, "the start notification arrives by v2c and v3");

        cluster.closeLater.getFirst().close(); // the pod stops: its health check fails
        Endpoint e = plane.state().services().get("web").endpoints().getFirst();
        await(() -> !e.healthy(), "the endpoint is marked down");
        await(() -> count(read(log), PC + ".0.2") == 2, "the endpoint-down notification arrives by v2c and v3");
        String traps = read(log);
        assertThat(traps).contains(PC + ".1.5.1.2.1 = STRING: \"web\"", PC + ".1.5.1.5.1 = Gauge32: " + podPort,
                PC + ".1.5.1.6.1 = INTEGER: 2");
        assertThat(monitoring.notifications().sent(Notification.Kind.ENDPOINT_DOWN)).isEqualTo(1);

        cluster.pod("127.1.1.10", podPort, "pod-a"); // back: the endpoint comes up again
        await(() -> count(read(log), PC + ".0.3") == 2, "the endpoint-up notification arrives by v2c and v3");
        monitoring.notifications().limitHit("web", dev.portcullis.router.RefusalReason.SERVICE_LIMIT, 3);
        await(() -> count(read(log), PC + ".0.6") == 2, "the limit-hit notification arrives by v2c and v3");
        assertThat(read(log)).contains(PC + ".1.5.1.6.1 = INTEGER: 1", PC + ".1.7.4.0 = STRING: \"web\"",
                PC + ".1.7.5.0 = INTEGER: 4", PC + ".1.7.6.0 = Gauge32: 3");

        // The control plane's notifications, called as the configuration store will call them.
        monitoring.notifications().commit(7, "alice");
        monitoring.notifications().automaticRollback(8, 7, "bob");
        await(() -> count(read(log), PC + ".0.4") == 2 && count(read(log), PC + ".0.5") == 2,
                "the commit and automatic-rollback notifications arrive by v2c and v3");
        traps = read(log);
        assertThat(traps).contains(PC + ".1.7.1.0 = Gauge32: 7", PC + ".1.7.3.0 = STRING: \"alice\"",
                PC + ".1.7.1.0 = Gauge32: 8", PC + ".1.7.2.0 = Gauge32: 7", PC + ".1.7.3.0 = STRING: \"bob\"");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static int count(String text, String oid) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("= OID: " + java.util.regex.Pattern.quote(oid)
                + "(\\s|$)").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static Path baseMibs() {
        try (var dirs = Files.newDirectoryStream(Path.of("/usr/lib/erlang/lib"), "snmp-*")) {
            for (Path d : dirs) {
                if (Files.exists(d.resolve("mibs/SNMPv2-SMI.mib"))) {
                    return d.resolve("mibs");
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static List<String> plus(List<String> base, String... more) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }
}
