package dev.portcullis.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * End to end on Linux network namespaces: the packaged appliance ({@code target/appliance.jar} and
 * {@code target/lib}) runs as its own process in an {@code edge} namespace between a client namespace and a small
 * "cluster" of two node namespaces, and real clients (curl, nc) prove what the appliance admits, refuses, routes
 * and keeps through a reload.
 *
 * <pre>
 * outside                   edge: the appliance, ip_forward=0               lan          node1 192.168.56.11
 * 198.51.100.10 ─────────── out0 198.51.100.1                               bridge ──┬── lo: pod1  10.244.1.5:8080
 * route 203.0.113.0/24      lo   203.0.113.10  :80 web, :8443 admin                  │       admin 10.244.1.9:8080
 *   via 198.51.100.1        in0  192.168.56.1 ───────────────────────────────────────┤       ClusterIP 10.96.0.10:80
 *                           routes 10.244.1.0/24 via .11, 10.244.2.0/24 via .12      │   node2 192.168.56.12
 *                           proto 188, made by the appliance itself                  └── lo: pod2  10.244.2.7:8080
 * </pre>
 *
 * <p>Every name carries a per-run prefix ({@code pcNNNN-}, from the test JVM's pid) so parallel runs do not clash;
 * leftovers of an earlier run with the same prefix are removed first, and everything (processes, namespaces) is
 * removed after, even on failure. Traffic only ever goes between the namespaces made here. Needs root and iproute2;
 * skips otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterE2EIT {

    private static final String PREFIX = "pc" + (ProcessHandle.current().pid() % 10000) + "-";
    private static final String OUTSIDE = PREFIX + "out";
    private static final String EDGE = PREFIX + "edge";
    private static final String LAN = PREFIX + "lan";
    private static final String NODE1 = PREFIX + "node1";
    private static final String NODE2 = PREFIX + "node2";
    private static final List<String> NAMESPACES = List.of(OUTSIDE, EDGE, LAN, NODE1, NODE2);

    private static final String CLIENT = "198.51.100.10";
    private static final String LISTENER = "203.0.113.10";
    private static final String EDGE_INSIDE = "192.168.56.1";
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final String WEB = "http://" + LISTENER + ":80/";
    private static final String ADMIN = "http://" + LISTENER + ":8443/";

    /** A pod: an HTTP server answering its name, logging one line per request with the peer's address. */
    private static final String POD_PY = """
            import http.server, sys
            name, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.0"
                def do_GET(self):
                    body = name.encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_request(self, code="-", size="-"):
                    print("request from %s: %s %s" % (self.client_address[0], self.requestline, code), flush=True)
                def log_message(self, fmt, *args):
                    pass
            server = http.server.ThreadingHTTPServer((host, port), Handler)
            print("ready", flush=True)
            server.serve_forever()
            """;

    private static Path work;
    private static Path configDir;
    private static Path applianceLog;
    private static Process appliance;
    private static long appliancePid;
    private static final Map<String, Process> PODS = new LinkedHashMap<>();
    private static final List<Process> OTHERS = new ArrayList<>();
    private static String ipCommand = "ip";
    /** The data plane transport of this run: epoll, or what the test class's {@link OnTransport} names. */
    private static String transport = "epoll";
    private static boolean started;
    private static boolean tornDown;
    private static Thread shutdownHook;

    // ---------------------------------------------------------------------------------------------- set-up

    /** Runs a subclass's tests on another data plane transport ({@code dataPlane.transport}); epoll without it. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface OnTransport {
        String value();
    }

    @BeforeAll
    static void buildTopologyAndStart(TestInfo info) throws Exception {
        // The state of a run of this class before (a subclass on another transport runs in the same JVM)
        started = false;
        tornDown = false;
        appliance = null;
        work = null;
        PODS.clear();
        OTHERS.clear();
        transport = info.getTestClass().map(c -> c.getAnnotation(OnTransport.class)).map(OnTransport::value)
                .orElse("epoll");
        assumeTrue(isRoot() && onPath("ip").isPresent(),
                "needs root and iproute2 to create network namespaces; CI runs it as root");
        Optional<Path> python = onPath("python3");
        assumeTrue(python.isPresent() && onPath("curl").isPresent() && onPath("nc").isPresent(),
                "needs python3, curl and nc (netcat-openbsd) for its pods and clients; .ci/run installs them");
        ipCommand = onPath("ip").orElseThrow().toString();
        // The interpreter itself, not a version manager's shim: the pods' pids are then the servers' own.
        Result exe = run(Duration.ofSeconds(20), python.get().toString(), "-c", "import sys; print(sys.executable)");
        Path interpreter = exe.exit() == 0 && !exe.out().isBlank() ? Path.of(exe.out()) : python.get();
        started = true;
        shutdownHook = Thread.ofPlatform().unstarted(ClusterE2EIT::tearDown);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        removeLeftovers();

        work = Files.createTempDirectory("portcullis-e2e-");
        configDir = Files.createDirectories(work.resolve("config"));
        Path podScript = work.resolve("pod.py");
        Files.writeString(podScript, POD_PY);

        // Namespaces and links. Links are made inside the namespaces: nothing appears in the machine's own.
        for (String ns : NAMESPACES) {
            ip("netns", "add", ns);
            ip("-n", ns, "link", "set", "lo", "up");
        }
        ip("-n", OUTSIDE, "link", "add", "eth0", "type", "veth", "peer", "name", "out0", "netns", EDGE);
        ip("-n", EDGE, "link", "add", "in0", "type", "veth", "peer", "name", "edge", "netns", LAN);
        ip("-n", NODE1, "link", "add", "eth0", "type", "veth", "peer", "name", "n1", "netns", LAN);
        ip("-n", NODE2, "link", "add", "eth0", "type", "veth", "peer", "name", "n2", "netns", LAN);
        ip("-n", LAN, "link", "add", "br0", "type", "bridge");
        for (String port : List.of("edge", "n1", "n2")) {
            ip("-n", LAN, "link", "set", port, "master", "br0");
            ip("-n", LAN, "link", "set", port, "up");
        }
        ip("-n", LAN, "link", "set", "br0", "up");

        // outside: the client, which reaches the listener range through the edge and nothing else.
        ip("-n", OUTSIDE, "addr", "add", CLIENT + "/24", "dev", "eth0");
        ip("-n", OUTSIDE, "link", "set", "eth0", "up");
        ip("-n", OUTSIDE, "route", "add", "203.0.113.0/24", "via", "198.51.100.1");

        // edge: no forwarding, no routes to pods (the appliance makes those).
        sysctl(EDGE, "net/ipv4/ip_forward", "0");
        ip("-n", EDGE, "addr", "add", "198.51.100.1/24", "dev", "out0");
        ip("-n", EDGE, "addr", "add", LISTENER + "/32", "dev", "lo");
        ip("-n", EDGE, "addr", "add", EDGE_INSIDE + "/24", "dev", "in0");
        ip("-n", EDGE, "link", "set", "out0", "up");
        ip("-n", EDGE, "link", "set", "in0", "up");

        // nodes: pod addresses (and node1's ClusterIP) on the node's loopback; node2 reaches the ClusterIP via node1,
        // as kube-proxy would arrange. No node has a route to the client's network.
        node(NODE1, "192.168.56.11", List.of("10.244.1.5", "10.244.1.9", CLUSTER_IP));
        node(NODE2, "192.168.56.12", List.of("10.244.2.7"));
        ip("-n", NODE2, "route", "add", "10.96.0.0/12", "via", "192.168.56.11");

        startPod("pod1", NODE1, "10.244.1.5", 8080, interpreter, podScript);
        startPod("pod2", NODE2, "10.244.2.7", 8080, interpreter, podScript);
        startPod("admin", NODE1, "10.244.1.9", 8080, interpreter, podScript);
        startPod("clusterip", NODE1, CLUSTER_IP, 80, interpreter, podScript);

        Files.writeString(configDir.resolve("appliance.yaml"), """
                node: e2e-edge
                policy: policy.yaml
                management: {address: 192.168.56.1}
                dataPlane: {ioThreads: 1, maxConnections: 1000, drainTimeout: 1s, transport: %s}
                logging: {directory: logs, decisionsPerSecond: 1000}
                routes: {manage: true}
                """.formatted(transport));
        writePolicy(policy(""));
        startAppliance();
        assumeTrue(!read(applianceLog).contains("io_uring is unavailable"),
                "io_uring is unavailable on this kernel: the appliance fell back to epoll");
        assertThat(read(applianceLog)).as("the appliance runs on the transport asked for").contains(
                "data plane on " + transport + " ");

        // Ready when both web pods have answered through the edge (health checks have run).
        boolean[] seen = new boolean[2];
        waitFor(Duration.ofSeconds(20), "both web pods to answer through the edge", () -> {
            Result r = curl(OUTSIDE, WEB, 2);
            seen[0] |= r.out().equals("pod1");
            seen[1] |= r.out().equals("pod2");
            return seen[0] && seen[1];
        });
    }

    private static void node(String ns, String address, List<String> pods) {
        ip("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        for (String pod : pods) {
            ip("-n", ns, "addr", "add", pod + "/32", "dev", "lo");
        }
    }

    private static void startPod(String name, String ns, String address, int port, Path python, Path script)
            throws IOException {
        Path log = work.resolve(name + ".log");
        Process p = new ProcessBuilder(ipCommand, "netns", "exec", ns, python.toString(), "-u", script.toString(), name,
                address, Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PODS.put(name, p);
        waitFor(Duration.ofSeconds(10), "pod " + name + " to listen on " + address + ":" + port,
                () -> read(log).contains("ready") || !p.isAlive());
        assertThat(p.isAlive()).as("pod %s is running; its log: %s", name, read(log)).isTrue();
    }

    private static void startAppliance() throws IOException {
        String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
        Path jar = Path.of(basedir, "target", "appliance.jar");
        Path lib = Path.of(basedir, "target", "lib");
        assertThat(jar).as("the packaged command (run in `verify`, after `package`)").exists();
        assertThat(lib).isDirectory();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        applianceLog = work.resolve("appliance.log");
        // env --default-signal=HUP: a test run started under nohup would hand its ignored SIGHUP down, and the JVM
        // installs no handler for an ignored signal (the appliance then warns, and the reload tests cannot pass).
        appliance = new ProcessBuilder(ipCommand, "netns", "exec", EDGE, "env", "--default-signal=HUP", java.toString(),
                "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                // as the launcher runs it: every module of the path (the native epoll transport is one nobody
                // requires), with native access for Netty and the CPU binding
                "--enable-native-access=io.netty.common,dev.portcullis.router",
                "-p", jar + ":" + lib, "--add-modules", "ALL-MODULE-PATH",
                "-m", "dev.portcullis.appliance/dev.portcullis.appliance.Main",
                "run", "--config", configDir.toString())
                .redirectErrorStream(true).redirectOutput(applianceLog.toFile()).start();
        Pattern running = Pattern.compile("portcullis: running on .*\\(pid (\\d+)\\)");
        waitFor(Duration.ofSeconds(30), "the appliance to start",
                () -> running.matcher(read(applianceLog)).find() || !appliance.isAlive());
        Matcher m = running.matcher(read(applianceLog));
        assertThat(m.find()).as("the appliance started; its log:%n%s", read(applianceLog)).isTrue();
        appliancePid = Long.parseLong(m.group(1));
    }

    // ---------------------------------------------------------------------------------------------- the proofs

    @Test
    @Order(1)
    void applianceInstalledTheRoutesToEachNodesPodCidr() {
        String routes = ip("-n", EDGE, "route", "show", "proto", "188");
        assertThat(routes).contains("10.244.1.0/24 via 192.168.56.11", "10.244.2.0/24 via 192.168.56.12");
        assertThat(read(applianceLog)).contains("start: route");
        assertThat(read(applianceLog)).as("the data plane asked for, with its native TCP path")
                .contains("data plane on " + transport)
                .contains(transport.equals("io_uring") ? "TCP relayed with ring operations on the event loops"
                        : "TCP relayed directly on the event loops");
    }

    @Test
    @Order(2)
    void admittedFlowReachesItsPodsInTurn_andPodsSeeOnlyTheEdge() {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Result r = curl(OUTSIDE, WEB, 3);
            assertThat(r.exit()).as("curl %s: %s", WEB, r.out()).isZero();
            answers.add(r.out());
        }
        assertThat(answers).containsOnly("pod1", "pod2").contains("pod1", "pod2");
        // A full proxy: the pods see the edge's inside address, never the client's, to which they have no route.
        for (String ns : List.of(NODE1, NODE2)) {
            assertThat(run(Duration.ofSeconds(5), ipCommand, "-n", ns, "route", "get", CLIENT).exit())
                    .as("%s has no route to the client", ns).isNotZero();
        }
        for (String pod : List.of("pod1", "pod2")) {
            List<String> requests = requests(pod);
            assertThat(requests).isNotEmpty().allMatch(l -> l.startsWith("request from " + EDGE_INSIDE + ":"));
        }
    }

    @Test
    @Order(3)
    void deniedFlowIsRefused_andItsPodSeesNothing() {
        for (int i = 0; i < 3; i++) {
            Result r = curl(OUTSIDE, ADMIN, 3);
            // The reject rule resets the accepted connection: curl says 56 (reset while receiving), or 7 when the
            // reset arrives before it has seen the connection complete; 52 (an empty reply) is a refusal too. Not 28:
            // a refusal is immediate, never a timeout.
            assertThat(r.exit()).as("curl %s must be refused; it said: %s", ADMIN, r.out()).isIn(7, 52, 56);
            System.out.printf("denied: curl exit %d: %s%n", r.exit(), r.out());
        }
        assertThat(requests("admin")).as("requests the admin pod saw").isEmpty();
        Path decisions = configDir.resolve("logs").resolve("decisions.log");
        waitFor(Duration.ofSeconds(5), "the decision log to record the refusal",
                () -> read(decisions).contains("\"rule\":\"reject-other-admin\""));
        assertThat(read(decisions)).contains("\"action\":\"reject\"", "\"source\":\"" + CLIENT + "\"");
    }

    @Test
    @Order(4)
    void clusterIpAnswersInsideTheClusterOnly() {
        Result inside = curl(NODE2, "http://" + CLUSTER_IP + "/", 3);
        assertThat(inside.exit()).as("curl from node2: %s", inside.out()).isZero();
        assertThat(inside.out()).isEqualTo("clusterip");

        // From outside, directly: no route at all.
        Result direct = curl(OUTSIDE, "http://" + CLUSTER_IP + "/", 2);
        assertThat(direct.exit()).as("curl from outside: %s", direct.out()).isNotZero();

        // Even with a route via the edge: the edge does not forward (ip_forward=0, no route there either).
        assertThat(sysctlValue(EDGE, "net/ipv4/ip_forward")).isEqualTo("0");
        assertThat(run(Duration.ofSeconds(5), ipCommand, "-n", EDGE, "route", "get", CLUSTER_IP).exit())
                .as("the edge has no route to the ClusterIP").isNotZero();
        ip("-n", OUTSIDE, "route", "add", "10.96.0.0/12", "via", "198.51.100.1");
        try {
            Result routed = curl(OUTSIDE, "http://" + CLUSTER_IP + "/", 2);
            assertThat(routed.exit()).as("curl from outside via the edge: %s", routed.out()).isNotZero();
            Result raw = run(Duration.ofSeconds(5), ipCommand, "netns", "exec", OUTSIDE, "nc", "-z", "-w", "2",
                    CLUSTER_IP, "80");
            assertThat(raw.exit()).as("nc -z from outside via the edge: %s", raw.out()).isNotZero();
        } finally {
            ip("-n", OUTSIDE, "route", "del", "10.96.0.0/12", "via", "198.51.100.1");
        }
        assertThat(requests("clusterip")).isNotEmpty()
                .allMatch(l -> l.startsWith("request from 192.168.56.12:"), "came from node2");

        // No policy can expose it: a listener or an endpoint in the service CIDR is refused, the running policy
        // stays, and the would-be listener does not exist.
        String before = read(applianceLog);
        writePolicy(policy("""
                  leak-endpoint:
                    listen: [203.0.113.10:9000]
                    endpoints: [10.96.0.10:80]
                  leak-listener:
                    listen: [10.96.0.10:9001]
                    endpoints: [10.244.1.5:8080]
                """, """
                  - {name: leak, destination: [service:leak-endpoint, service:leak-listener], action: accept}
                """));
        try {
            hangUp();
            waitFor(Duration.ofSeconds(10), "the appliance to refuse the leaking policy",
                    () -> read(applianceLog).substring(before.length()).contains("reload: refused"));
            String refusal = read(applianceLog).substring(before.length());
            assertThat(refusal).contains("endpoint 10.96.0.10:80 lies inside the service CIDR");
            Result leaked = curl(OUTSIDE, "http://" + LISTENER + ":9000/", 2);
            assertThat(leaked.exit()).as("curl :9000: %s", leaked.out()).isNotZero();
            assertThat(curl(OUTSIDE, WEB, 3).out()).isIn("pod1", "pod2");
        } finally {
            writePolicy(policy(""));
        }
        assertThat(requests("clusterip")).allMatch(l -> l.startsWith("request from 192.168.56.12:"));
    }

    @Test
    @Order(5)
    void reloadsUnderSteadyTrafficLoseNoConnection() throws Exception {
        // Two clients, each a bounded loop of sequential requests that runs until told to stop.
        Path stop = work.resolve("stop-traffic");
        List<Path> outputs = List.of(work.resolve("traffic-a.log"), work.resolve("traffic-b.log"));
        List<Process> loops = new ArrayList<>();
        for (Path out : outputs) {
            String script = "i=0; while [ $i -lt 1500 ] && [ ! -e " + stop + " ]; do "
                    + "r=$(curl -sS --max-time 3 " + WEB + " 2>&1) && echo \"ok $r\" || echo \"FAIL $? $r\"; "
                    + "i=$((i+1)); done";
            Process p = new ProcessBuilder(ipCommand, "netns", "exec", OUTSIDE, "sh", "-c", script)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            OTHERS.add(p);
            loops.add(p);
        }
        String before = read(applianceLog);
        int reloads = 5;
        try {
            for (int i = 1; i <= reloads; i++) {
                // Reloads spread over the traffic: each client makes requests between two reloads.
                int[] mark = outputs.stream().mapToInt(ClusterE2EIT::lines).toArray();
                waitFor(Duration.ofSeconds(15), "traffic before reload " + i,
                        () -> lines(outputs.get(0)) >= mark[0] + 15 && lines(outputs.get(1)) >= mark[1] + 15);
                String extraService = i < reloads ? "" : """
                          web81:
                            listen: [203.0.113.10:81]
                            endpoints: [10.244.2.7:8080]
                        """;
                writePolicy(policy(extraService, "  - {name: reload-" + i + ", source: [198.51.100.20" + i
                        + "], destinationPorts: [9999], protocol: udp, action: drop}\n"
                        + (i < reloads ? "" : "  - {name: web81, destination: [service:web81], action: accept}\n")));
                hangUp();
                int applied = i;
                waitFor(Duration.ofSeconds(10), "reload " + i + " to be applied",
                        () -> count(read(applianceLog).substring(before.length()), "apply: revision") >= applied);
            }
            int[] atLastReload = outputs.stream().mapToInt(ClusterE2EIT::lines).toArray();
            waitFor(Duration.ofSeconds(20), "traffic after the last reload",
                    () -> lines(outputs.get(0)) >= atLastReload[0] + 10 && lines(outputs.get(1)) >= atLastReload[1] + 10
                            && lines(outputs.get(0)) + lines(outputs.get(1)) >= 200);
        } finally {
            Files.writeString(stop, "");
            for (Process p : loops) {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        String log = read(applianceLog).substring(before.length());
        assertThat(log).doesNotContain("reload: refused");
        assertThat(count(log, "apply: revision")).isEqualTo(reloads);
        int total = 0;
        for (Path out : outputs) {
            List<String> results = Files.readAllLines(out);
            total += results.size();
            assertThat(results).as("every request of %s", out.getFileName())
                    .isNotEmpty().allMatch(l -> l.equals("ok pod1") || l.equals("ok pod2"));
        }
        assertThat(total).isGreaterThanOrEqualTo(200);
        // The last reload's new service is live.
        assertThat(curl(OUTSIDE, "http://" + LISTENER + ":81/", 3).out()).isEqualTo("pod2");
        System.out.printf("reload under traffic: %d requests, %d reloads, none lost%n", total, reloads);
    }

    @Test
    @Order(6)
    void deadEndpointIsTakenOut_andTrafficMovesToTheOther() throws Exception {
        Process pod1 = PODS.get("pod1");
        pod1.descendants().forEach(ProcessHandle::destroyForcibly);
        pod1.destroyForcibly();
        assertThat(pod1.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(curl(NODE1, "http://10.244.1.5:8080/", 2).exit()).as("pod1 is dead").isNotZero();

        // Until the health check's fall, a connect that fails moves on to the other endpoint: no request fails.
        List<Result> meanwhile = new ArrayList<>();
        waitFor(Duration.ofSeconds(10), "the health check to take pod1 out", () -> {
            meanwhile.add(curl(OUTSIDE, WEB, 3));
            return read(applianceLog).contains("endpoint 10.244.1.5:8080 is down");
        });
        assertThat(meanwhile).as("requests before the health check took pod1 out")
                .allMatch(r -> r.exit() == 0 && r.out().equals("pod2"));
        System.out.printf("failover: %d requests while pod1 was dead but not yet out, all answered by pod2%n",
                meanwhile.size());
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Result r = curl(OUTSIDE, WEB, 3);
            assertThat(r.exit()).as("curl %s: %s", WEB, r.out()).isZero();
            answers.add(r.out());
        }
        assertThat(answers).containsOnly("pod2");
    }

    // ---------------------------------------------------------------------------------------------- tear-down

    @AfterAll
    static void tearDownAll() {
        tearDown();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    private static synchronized void tearDown() {
        if (!started || tornDown) {
            return;
        }
        tornDown = true;
        if (appliance != null) {
            appliance.destroy(); // SIGTERM: drain and stop
            try {
                if (!appliance.waitFor(5, TimeUnit.SECONDS)) {
                    appliance.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("---- appliance log ----");
            System.out.println(read(applianceLog));
        }
        Stream.concat(PODS.values().stream(), OTHERS.stream()).forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        removeLeftovers();
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.out.println("could not remove " + work + ": " + e);
            }
        }
    }

    /** Ends every process left in our namespaces, then deletes them. */
    private static void removeLeftovers() {
        String listed = run(Duration.ofSeconds(10), ipCommand, "netns", "list").out();
        for (String line : listed.split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (!NAMESPACES.contains(ns)) {
                continue;
            }
            for (String pid : run(Duration.ofSeconds(10), ipCommand, "netns", "pids", ns).out().split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Result del = run(Duration.ofSeconds(10), ipCommand, "netns", "del", ns);
            if (del.exit() != 0) {
                System.out.println("could not delete namespace " + ns + ": " + del.out());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static String policy(String extraRules) {
        return policy("", extraRules);
    }

    private static String policy(String extraServices, String extraRules) {
        return """
                version: 1
                cluster:
                  name: e2e
                  podCIDR: [10.244.0.0/16]
                  serviceCIDR: [10.96.0.0/12]
                  nodes:
                    - {name: node1, address: 192.168.56.11, podCIDR: 10.244.1.0/24}
                    - {name: node2, address: 192.168.56.12, podCIDR: 10.244.2.0/24}
                sets:
                  admins: [198.51.100.99]
                services:
                  web:
                    listen: [203.0.113.10:80]
                    endpoints: [10.244.1.5:8080, 10.244.2.7:8080]
                    balance: round-robin
                    healthCheck: {interval: 500ms, timeout: 300ms, rise: 1, fall: 2}
                    timeouts: {connect: 1s}
                  admin:
                    listen: [203.0.113.10:8443]
                    endpoints: [10.244.1.9:8080]
                    healthCheck: {interval: 500ms, timeout: 300ms, rise: 1, fall: 2}
                """ + extraServices + """
                rules:
                  - {name: web-from-anywhere, destination: [service:web], protocol: tcp, action: accept}
                  - name: admin-from-admins
                    source: [$admins]
                    destination: [service:admin]
                    protocol: tcp
                    action: accept
                    log: true
                  - {name: reject-other-admin, destination: [service:admin], action: reject, log: true}
                """ + extraRules + """
                default: drop
                """;
    }

    /** Replaces the policy file in one step, so a reload never reads half of it. */
    private static void writePolicy(String text) {
        try {
            Path tmp = configDir.resolve("policy.yaml.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, configDir.resolve("policy.yaml"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void hangUp() {
        Result r = run(Duration.ofSeconds(5), "kill", "-HUP", Long.toString(appliancePid));
        assertThat(r.exit()).as("kill -HUP %d: %s", appliancePid, r.out()).isZero();
    }

    private record Result(int exit, String out) {
    }

    /** Runs a command with a time limit; its output (standard error merged) goes through a file, never a pipe. */
    private static Result run(Duration timeout, String... argv) {
        Path out = null;
        try {
            out = Files.createTempFile("portcullis-e2e-cmd-", ".out");
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(124, read(out) + " [timed out after " + timeout + "]");
            }
            return new Result(p.exitValue(), read(out).strip());
        } catch (IOException e) {
            return new Result(127, String.join(" ", argv) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    /** Runs {@code ip ARGS}, failing the test when it fails. */
    private static String ip(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = ipCommand;
        System.arraycopy(args, 0, argv, 1, args.length);
        Result r = run(Duration.ofSeconds(10), argv);
        assertThat(r.exit()).as("%s: %s", String.join(" ", argv), r.out()).isZero();
        return r.out();
    }

    private static void sysctl(String ns, String key, String value) {
        Result r = run(Duration.ofSeconds(10), ipCommand, "netns", "exec", ns, "sh", "-c",
                "echo " + value + " > /proc/sys/" + key);
        assertThat(r.exit()).as("set %s in %s: %s", key, ns, r.out()).isZero();
    }

    private static String sysctlValue(String ns, String key) {
        return run(Duration.ofSeconds(10), ipCommand, "netns", "exec", ns, "cat", "/proc/sys/" + key).out();
    }

    private static Result curl(String ns, String url, int maxSeconds) {
        return run(Duration.ofSeconds(maxSeconds + 5L), ipCommand, "netns", "exec", ns, "curl", "-sS",
                "--max-time", Integer.toString(maxSeconds), url);
    }

    /** The request lines a pod logged. */
    private static List<String> requests(String pod) {
        return read(work.resolve(pod + ".log")).lines().filter(l -> l.startsWith("request from ")).toList();
    }

    private static void waitFor(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what
                        + (applianceLog != null ? "; appliance log:\n" + read(applianceLog) : ""));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int lines(Path file) {
        return (int) read(file).lines().count();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Path> onPath(String command) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> dirs = new ArrayList<>(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, command))
                .filter(Files::isExecutable).findFirst();
    }
}
