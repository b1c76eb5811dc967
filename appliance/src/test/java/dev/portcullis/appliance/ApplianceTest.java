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
        Path key = DemoCommand.addDemoUser(dir);
        var cfg = ApplianceConfigReader.read(dir);
        var check = PolicyLoader.check(cfg.policy());
        assertThat(check.diagnostics()).isEmpty();
        assertThat(cfg.ssh()).isPresent();
        assertThat(cfg.users()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("demo");
            assertThat(u.role()).isEqualTo(dev.portcullis.policy.ApplianceConfig.Role.ADMIN);
            assertThat(u.keys().getFirst()).isEqualTo(Files.readString(dir.resolve("demo_ed25519.pub")).strip());
        });
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        if (Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))) {
            // OpenSSH reads the private key the demo made and derives the same public key from it.
            var derived = tool(java.util.List.of("ssh-keygen", "-y", "-f", key.toString()));
            assertThat(derived.getKey()).as(derived.getValue()).isZero();
            assertThat(cfg.users().getFirst().keys().getFirst()).startsWith(derived.getValue().strip());
        }
        assertThat(new String(Files.readAllBytes(cfg.policy()), StandardCharsets.UTF_8)).contains("127.0.0.2");
    }

    /** Runs a tool; returns its exit code and output (both streams). */
    private static java.util.Map.Entry<Integer, String> tool(java.util.List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(argv + " did not finish");
        }
        return java.util.Map.entry(p.exitValue(), out);
    }

    @Test
    void start_withSsh_consoleServesTheRunningAppliance() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh"))
                && Files.isExecutable(Path.of("/usr/bin/ssh-keygen")),
                "the OpenSSH client is not installed; .ci/run installs openssh-client");
        int listen = freePort();
        int pod = freePort();
        int sshPort = freePort();
        Path key = dir.resolve("alice");
        assertThat(tool(java.util.List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()))
                .getKey()).isZero();
        String publicKey = Files.readString(dir.resolve("alice.pub")).strip();
        Files.writeString(dir.resolve("appliance.yaml"), """
                node: edge-t
                policy: policy.yaml
                management: {address: 127.0.0.1}
                dataPlane: {drainTimeout: 1s}
                ssh: {port: %d}
                users: [{name: alice, role: operator, keys: ["%s"]}]
                """.formatted(sshPort, publicKey));
        Files.writeString(dir.resolve("policy.yaml"), policy(listen, pod, ""));
        var cfg = ApplianceConfigReader.read(dir);
        Appliance appliance = Appliance.start(cfg);
        try {
            assertThat(appliance.consolePort()).contains(sshPort);
            java.util.List<String> ssh = java.util.List.of("ssh", "-F", "/dev/null", "-p", Integer.toString(sshPort),
                    "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                    "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
                    "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"), "-o", "LogLevel=ERROR",
                    "alice@127.0.0.1");
            var services = tool(concat(ssh, "show services"));
            assertThat(services.getKey()).as(services.getValue()).isZero();
            assertThat(services.getValue()).contains("web", "127.0.0.1:" + listen);
            var config = tool(concat(ssh, "show config"));
            assertThat(config.getValue()).startsWith("# running revision 1").contains("name: t");
            var configure = tool(concat(ssh, "configure"));
            assertThat(configure.getKey()).isEqualTo(2); // operators may not configure
            assertThat(Files.readString(dir.resolve("logs/audit.log"))).contains("\"user\":\"alice\"",
                    "\"command\":\"show services\"", "\"event\":\"login\"");
            assertThat(dir.resolve("ssh/ssh_host_ed25519_key")).exists();
        } finally {
            appliance.stop();
        }
    }

    /**
     * Configuration mode through the real OpenSSH client, end to end: an admin uploads a policy with sftp, loads it,
     * compares (text and verdict diff), commits; the data plane changes at once; the revision is in the store, so a
     * restart runs it even though the policy file was broken meanwhile.
     */
    @Test
    void console_uploadLoadCompareCommit_changesTheDataPlaneAndSurvivesARestart() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh"))
                && Files.isExecutable(Path.of("/usr/bin/sftp")) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen")),
                "the OpenSSH client is not installed; .ci/run installs openssh-client");
        int listen = freePort();
        int pod = freePort();
        int sshPort = freePort();
        int metricsPort = freePort();
        Path key = newKey("root-key");
        Files.writeString(dir.resolve("appliance.yaml"), """
                node: edge-t
                policy: policy.yaml
                management: {address: 127.0.0.1}
                dataPlane: {drainTimeout: 1s}
                ssh: {port: %d}
                users: [{name: ops, role: admin, keys: ["%s"]}]
                metrics: {port: %d}
                """.formatted(sshPort, Files.readString(dir.resolve("root-key.pub")).strip(), metricsPort));
        Files.writeString(dir.resolve("policy.yaml"), policy(listen, pod, ""));
        var cfg = ApplianceConfigReader.read(dir);
        java.util.List<String> opts = sshOptions(key);
        java.util.List<String> ssh = new java.util.ArrayList<>(java.util.List.of("ssh", "-T", "-p",
                Integer.toString(sshPort)));
        ssh.addAll(opts);
        ssh.add("ops@127.0.0.1");
        try (DemoPods pods = DemoPods.start(PolicyLoader.check(cfg.policy()).policy().orElseThrow())) {
            Appliance appliance = Appliance.start(cfg);
            try {
                assertThat(get(listen)).startsWith("hello from pod");
                Path upload = dir.resolve("deny.yaml");
                Files.writeString(upload, policy(listen, pod,
                        "  - {name: deny-local, source: [127.0.0.1], action: reject}\n"));
                java.util.List<String> sftp = new java.util.ArrayList<>(java.util.List.of("sftp", "-P",
                        Integer.toString(sshPort), "-b", "-"));
                sftp.addAll(opts);
                sftp.add("ops@127.0.0.1");
                var put = toolWithInput(sftp, "put " + upload + " deny.yaml\n");
                assertThat(put.getKey()).as(put.getValue()).isZero();

                var session = toolWithInput(ssh, """
                        configure
                        load deny.yaml
                        compare
                        commit comment deny local clients
                        exit
                        """);
                assertThat(session.getKey()).as(session.getValue()).isZero();
                assertThat(session.getValue()).contains("+  - {name: deny-local", "accept", "reject",
                        "revision 2 committed");
                assertRefused(listen);

                var history = tool(concat(new java.util.ArrayList<>(ssh), "show history"));
                assertThat(history.getValue()).contains("deny local clients", "ops");

                // The commit reached monitoring: the same revision and author in show metrics and on /metrics,
                // a commit notification, and the SSH sessions counted.
                var metrics = tool(concat(new java.util.ArrayList<>(ssh), "show metrics"));
                assertThat(metrics.getValue()).contains("revision 2", "by ops");
                assertThat(appliance.monitoring().notifications()
                        .sent(dev.portcullis.monitoring.Notification.Kind.COMMIT)).isEqualTo(1);
                String exported = httpGet(metricsPort, "/metrics");
                assertThat(exported).contains("portcullis_policy_revision 2.0");
                assertThat(exported).containsPattern("portcullis_ssh_sessions_total [3-9]\\.0");
            } finally {
                appliance.stop();
            }
            // The file is broken now; the store's revision 2 is what runs after a restart.
            Files.writeString(dir.resolve("policy.yaml"), "version: 1\nrules: [oops\n");
            Appliance again = Appliance.start(cfg);
            try {
                assertRefused(listen);
                assertThat(again.dataPlane().counters().rule("deny-local").hits()).isEqualTo(1);
            } finally {
                again.stop();
            }
        }
    }

    /**
     * The lockout-proof commit, end to end through the real OpenSSH client and the real store: an admin commits a
     * policy that refuses the service with {@code commit confirmed 1} and does not confirm; a minute later the
     * previous revision comes back by itself, an established connection survived both changes, and the history
     * and the audit log say what happened.
     */
    @Test
    void console_commitConfirmedNotConfirmed_rollsBackByItselfKeepingConnections() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh"))
                && Files.isExecutable(Path.of("/usr/bin/ssh-keygen")),
                "the OpenSSH client is not installed; .ci/run installs openssh-client");
        int listen = freePort();
        int pod = freePort();
        int sshPort = freePort();
        Path key = newKey("root-key");
        Files.writeString(dir.resolve("appliance.yaml"), """
                node: edge-t
                policy: policy.yaml
                management: {address: 127.0.0.1}
                dataPlane: {drainTimeout: 1s}
                ssh: {port: %d}
                users: [{name: ops, role: admin, keys: ["%s"]}]
                """.formatted(sshPort, Files.readString(dir.resolve("root-key.pub")).strip()));
        Files.writeString(dir.resolve("policy.yaml"), policy(listen, pod, ""));
        var cfg = ApplianceConfigReader.read(dir);
        java.util.List<String> ssh = new java.util.ArrayList<>(java.util.List.of("ssh", "-T", "-p",
                Integer.toString(sshPort)));
        ssh.addAll(sshOptions(key));
        ssh.add("ops@127.0.0.1");
        try (DemoPods pods = DemoPods.start(PolicyLoader.check(cfg.policy()).policy().orElseThrow())) {
            Appliance appliance = Appliance.start(cfg);
            try (Socket established = new Socket()) {
                established.connect(new InetSocketAddress("127.0.0.1", listen), 2000);
                established.setSoTimeout(5000);
                var session = toolWithInput(ssh, """
                        configure
                        set rules web action reject
                        commit confirmed 1 comment risky change
                        exit
                        """);
                assertThat(session.getKey()).as(session.getValue()).isZero();
                assertThat(session.getValue()).contains("revision 2 committed", "unless confirmed by");
                assertRefused(listen);

                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (tryGet(listen).isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("revision 1 did not come back within 90 s");
                    }
                    // The connection made before the commit keeps working meanwhile (a request every second, so
                    // that the pod's own idle timeout does not end it).
                    assertThat(keepAliveGet(established)).startsWith("hello from pod");
                    Thread.sleep(1000);
                }
                assertThat(get(listen)).startsWith("hello from pod");
                assertThat(keepAliveGet(established)).startsWith("hello from pod");
                var history = tool(concat(new java.util.ArrayList<>(ssh), "show history"));
                assertThat(history.getValue()).contains("risky change", "automatic-rollback", "running");
                assertThat(Files.readString(dir.resolve("logs/audit.log")))
                        .contains("\"command\":\"commit confirmed 1 comment risky change\"");
            } finally {
                appliance.stop();
            }
        }
    }

    /** A new Ed25519 key pair without passphrase, made by OpenSSH's ssh-keygen; returns the private key's path. */
    private Path newKey(String name) throws Exception {
        Path key = dir.resolve(name);
        assertThat(tool(java.util.List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()))
                .getKey()).isZero();
        return key;
    }

    /** OpenSSH client options that use only {@code key} and a known_hosts file of the test's own. */
    private java.util.List<String> sshOptions(Path key) {
        return java.util.List.of("-F", "/dev/null", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
                "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"), "-o", "LogLevel=ERROR");
    }

    /** An HTTP/1.1 GET on an open connection, kept alive; returns the body (by its Content-Length). */
    private static String keepAliveGet(Socket s) throws IOException {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection closed; response so far: " + head);
            }
            head.append((char) c);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(head);
        if (!m.find()) {
            throw new IOException("no Content-Length in " + head);
        }
        return new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
    }

    /** A GET's body, or empty when the appliance refuses the connection. */
    private static java.util.Optional<String> tryGet(int port) {
        try {
            return java.util.Optional.of(get(port));
        } catch (Exception e) {
            return java.util.Optional.empty();
        }
    }

    /** A TCP connection the appliance refuses: reset on connect or at the first read. */
    private static void assertRefused(int port) throws IOException {
        try (Socket s = new Socket()) {
            int r;
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                r = s.getInputStream().read();
            } catch (java.net.SocketException e) {
                r = -1;
            }
            assertThat(r).isEqualTo(-1);
        }
    }

    /** Runs a tool with {@code input} on its standard input; returns its exit code and output (both streams). */
    private static java.util.Map.Entry<Integer, String> toolWithInput(java.util.List<String> argv, String input)
            throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(argv + " did not finish");
        }
        return java.util.Map.entry(p.exitValue(), out);
    }

    private static java.util.List<String> concat(java.util.List<String> argv, String command) {
        java.util.List<String> out = new java.util.ArrayList<>(argv);
        out.add(command);
        return out;
    }
}
