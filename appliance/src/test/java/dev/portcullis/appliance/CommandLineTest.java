package dev.portcullis.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the {@code portcullis} command in-process, as a user would from the shell, and checks output and exit. */
class CommandLineTest {

    @TempDir
    Path tmp;

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exit, out.toString(), err.toString());
    }

    static Path repoFile(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return null;
    }

    private static Path example() {
        return repoFile("configs/examples/prod-east.yaml");
    }

    private static Path classbench(String name) {
        Path p = repoFile("shared/data/classbench/" + name);
        Assumptions.assumeTrue(p != null, "ClassBench data (shared/data/classbench) is not beside the repo");
        return p;
    }

    @Test
    void check_example_exitsZeroAndSaysValid() {
        Result r = run("policy", "check", example().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("valid: 9 rules, 4 services, 0 warnings");
    }

    @Test
    void check_invalid_printsEachProblemWithPlaceAndExitsOne() throws IOException {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, """
                version: 1
                cluster: {name: c, podCIDR: [10.244.0.0/16], serviceCIDR: [10.96.0.0/12]}
                rules:
                  - {name: a, source: [10.0.0.1/8], action: accept}
                  - {name: b, protocl: tcp, action: acept}
                """);
        Result r = run("policy", "check", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains(bad + ":4:24: error: malformed address in rule 'a' source: '10.0.0.1/8' has "
                + "host bits set; the network is 10.0.0.0/8");
        assertThat(r.out()).contains(bad + ":5:15: error: unknown key 'protocl' in rule 'b'\n    hint: did you mean "
                + "'protocol'?");
        assertThat(r.out()).contains(bad + ":5:37: error: unknown action 'acept'");
        assertThat(r.out()).contains("invalid: 3 errors, 0 warnings");
    }

    @Test
    void check_shadowedRule_warnsAndExitsZero() throws IOException {
        Path p = tmp.resolve("shadow.yaml");
        Files.writeString(p, """
                version: 1
                cluster: {name: c, podCIDR: [10.244.0.0/16], serviceCIDR: [10.96.0.0/12]}
                rules:
                  - {name: wide, source: [192.0.2.0/24], protocol: tcp, action: drop}
                  - {name: narrow, source: [192.0.2.7], destinationPorts: [22], protocol: tcp, action: accept}
                """);
        Result r = run("policy", "check", p.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains(p + ":5:5: warning: rule 'narrow' can never match: rule 'wide' (line 4) "
                + "covers it entirely");
    }

    @Test
    void check_missingFile_exitsTwo() {
        Result r = run("policy", "check", tmp.resolve("nope.yaml").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no such file");
    }

    @Test
    void test_oneFlow_explainsVerdictAndRule() {
        Result r = run("policy", "test", example().toString(), "--from", "198.51.100.7:40000",
                "--to", "203.0.113.10:8080");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("verdict: accept").contains("rule:    3 'api-from-partners' at ");
        Result denied = run("policy", "test", example().toString(), "--from", "192.0.2.99",
                "--to", "203.0.113.10:8080");
        assertThat(denied.out()).contains("verdict: drop").contains("default decided")
                .contains("(source port assumed)");
        Result icmp = run("policy", "test", example().toString(), "--from", "192.0.2.99",
                "--to", "203.0.113.53", "--protocol", "icmp");
        assertThat(icmp.out()).contains("verdict: accept").contains("'ping-edge'");
        Result v6 = run("policy", "test", example().toString(), "--from", "[2001:db8:1::5]:5000",
                "--to", "[2001:db8:ed9e::10]:443");
        assertThat(v6.out()).contains("verdict: accept").contains("'web-from-anywhere'");
    }

    @Test
    void test_malformedFlow_exitsOneWithReason() {
        Result r = run("policy", "test", example().toString(), "--from", "198.51.100.300", "--to", "203.0.113.10:80");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("more than 255");
    }

    @Test
    void test_flowsFile_oneLinePerFlowAndErrorsWithLine() throws IOException {
        Path flows = tmp.resolve("flows.txt");
        Files.writeString(flows, """
                198.18.0.1 203.0.113.10 1234 443 tcp
                198.51.100.7 203.0.113.10 40000 8080 6
                192.0.2.10 203.0.113.10 40000 9100 tcp
                192.0.2.99 203.0.113.10 40000 9100 tcp
                192.0.2.99 203.0.113.10 40000 9999 tcp
                192.0.2.99 203.0.113.10 40000 x tcp
                2001:db8:1::5 2001:db8:ed9e::10 5000 443 tcp
                """);
        Result r = run("policy", "test", example().toString(), "--flows", flows.toString());
        assertThat(r.out().lines().toList()).containsExactly(
                "1 drop-blocklist drop",
                "3 api-from-partners accept",
                "5 metrics-from-monitoring accept",
                "6 reject-other-metrics reject",
                "0 default drop",
                "2 web-from-anywhere accept");
        assertThat(r.err()).contains(flows + ":6: 'x' is not a port number");
        assertThat(r.exit()).isEqualTo(1);
    }

    /**
     * Invariant: an imported ClassBench policy is equivalent to its rule file, so classifying the trace through the
     * policy gives every line's MATCH as the rule number.
     */
    @Test
    void importClassBench_thenTestFlows_agreesWithEveryTraceLine() throws IOException {
        Path rules = classbench("fw1_1K.rules");
        Path policy = tmp.resolve("fw1.yaml");
        Result imported = run("policy", "import-classbench", rules.toString(), "-o", policy.toString());
        assertThat(imported.exit()).isZero();
        Result check = run("policy", "check", policy.toString());
        assertThat(check.exit()).isZero();

        Path flows = tmp.resolve("flows.txt");
        List<Integer> expected = new ArrayList<>();
        try (BufferedReader in = Inputs.open(classbench("fw1_1K.trace.gz"))) {
            StringBuilder sb = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 6) {
                    continue;
                }
                sb.append(dotted(Long.parseLong(f[0]))).append(' ').append(dotted(Long.parseLong(f[1]))).append(' ')
                        .append(f[2]).append(' ').append(f[3]).append(' ').append(f[4]).append('\n');
                expected.add(Integer.parseInt(f[5]));
            }
            Files.writeString(flows, sb);
        }
        Result r = run("policy", "test", policy.toString(), "--flows", flows.toString());
        assertThat(r.exit()).isZero();
        List<Integer> got = r.out().lines().map(l -> Integer.parseInt(l.substring(0, l.indexOf(' ')))).toList();
        assertThat(got).hasSize(expected.size()).isEqualTo(expected);
    }

    @Test
    void benchClassify_smallSet_allAnswersAgree() {
        Result r = run("bench", "classify", "--rules", classbench("acl1_1K.rules").toString(),
                "--trace", classbench("acl1_1K.trace.gz").toString(), "--seconds", "0.05");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("0 disagree").contains("million/s").contains("MiB");
    }

    @Test
    void version_printsName() {
        Result r = run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("portcullis ");
    }

    private static String dotted(long v) {
        return (v >>> 24 & 255) + "." + (v >>> 16 & 255) + "." + (v >>> 8 & 255) + "." + (v & 255);
    }

    @Test
    void hashPassword_fromStandardInput_printsAHashThatMatches() {
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("s3cret pass\n".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)));
            Result r = run("hash-password");
            assertThat(r.exit()).as(r.err()).isZero();
            String hash = r.out().strip();
            assertThat(hash).startsWith("$pbkdf2-sha256$i=600000$");
            assertThat(dev.portcullis.policy.PasswordHash.parse(hash).matches("s3cret pass".toCharArray()))
                    .isTrue();
            System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
            Result empty = run("hash-password");
            assertThat(empty.exit()).isEqualTo(1);
            assertThat(empty.err()).contains("the password is empty");
        } finally {
            System.setIn(saved);
        }
    }
}
