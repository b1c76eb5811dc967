package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

    /** A valid base: each test below changes one part of it. */
    static final String BASE = """
            version: 1
            cluster:
              name: test
              podCIDR: [10.244.0.0/16]
              serviceCIDR: [10.96.0.0/12]
              nodes:
                - {name: w1, address: 192.168.56.11, podCIDR: 10.244.1.0/24}
                - {name: w2, address: 192.168.56.12, podCIDR: 10.244.2.0/24}
            sets:
              office: [198.51.100.0/24, 2001:db8:1::/48]
              web-ports: [80, 443, 8000-8099]
            services:
              web:
                listen: [203.0.113.10:443]
                protocol: tcp
                endpoints: [10.244.1.5:8443, 10.244.2.7:8443]
            rules:
              - name: office-to-web
                source: [$office]
                sourcePorts: [1024-65535]
                destination: [service:web]
                protocol: tcp
                action: accept
                log: true
            default: drop
            """;

    private static List<String> problems(String yaml) {
        return PolicyLoader.check("p.yaml", yaml).diagnostics().stream().map(Diagnostic::format).toList();
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
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void check_base_isValidWithResolvedReferences() throws Exception {
        Policy p = PolicyLoader.load("p.yaml", BASE);
        assertThat(p.rules()).hasSize(1);
        Rule r = p.rules().getFirst();
        assertThat(r.sources()).containsExactly(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("2001:db8:1::/48"));
        assertThat(r.serviceTargets()).containsExactly(HostPort.parse("203.0.113.10:443"));
        assertThat(r.sourcePorts()).containsExactly(new PortRange(1024, 65535));
        assertThat(r.protocol()).hasValue(6);
        assertThat(r.log()).isTrue();
        assertThat(r.location().line()).isEqualTo(18);
        assertThat(p.defaultAction()).isEqualTo(Action.DROP);
        assertThat(p.sets().get("web-ports")).isInstanceOf(NamedSet.Ports.class);
        assertThat(p.warnings()).isEmpty();
    }

    @Test
    void check_exampleInConfigs_isValidWithoutWarnings() throws IOException {
        PolicyLoader.PolicyCheck check = PolicyLoader.check(repoFile("configs/examples/prod-east.yaml"));
        assertThat(check.diagnostics()).isEmpty();
        assertThat(check.policy()).isPresent();
        assertThat(check.policy().get().services()).hasSize(4);
    }

    @Test
    void check_unknownKey_errorAtKeyWithSuggestion() {
        String yaml = BASE.replace("    sourcePorts: [1024-65535]", "    sourcePort: [1024-65535]");
        assertThat(problems(yaml)).containsExactly(
                "p.yaml:20:5: error: unknown key 'sourcePort' in rule 'office-to-web'\n"
                        + "    hint: did you mean 'sourcePorts'?");
    }

    @Test
    void check_unknownTopLevelKeyWithOtherCase_suggestsTheKey() {
        String yaml = BASE.replace("default: drop", "Default: drop");
        assertThat(problems(yaml)).singleElement().asString()
                .startsWith("p.yaml:25:1: error: unknown key 'Default' in the policy")
                .contains("did you mean 'default'?");
    }

    @Test
    void check_manyProblems_reportsAllInSourceOrder() {
        String yaml = BASE
                .replace("podCIDR: 10.244.2.0/24", "podCIDR: 10.245.2.0/24")
                .replace("10.244.2.7:8443", "10.96.0.10:8443")
                .replace("sourcePorts: [1024-65535]", "sourcePorts: [65535-1024]")
                .replace("protocol: tcp\n    action", "protocol: tpc\n    action");
        List<String> p = problems(yaml);
        assertThat(p).hasSize(4);
        assertThat(p.get(0)).startsWith("p.yaml:8:51: error: node 'w2' podCIDR 10.245.2.0/24 is outside the cluster");
        assertThat(p.get(1)).startsWith("p.yaml:16:34: error: endpoint 10.96.0.10:8443 lies inside the service CIDR");
        assertThat(p.get(2)).startsWith("p.yaml:20:19: error: port range '65535-1024' is reversed");
        assertThat(p.get(3)).startsWith("p.yaml:22:15: error: unknown protocol 'tpc' in rule 'office-to-web'")
                .contains("did you mean 'tcp'?");
    }

    @Test
    void check_malformedAndHostBits_errorsNameTheValue() {
        String yaml = BASE.replace("office: [198.51.100.0/24, 2001:db8:1::/48]",
                "office: [198.51.100.7/24, 2001:db8:1:::/48, 300.1.1.1]");
        List<String> p = problems(yaml);
        assertThat(p).hasSize(3);
        assertThat(p.get(0)).contains("p.yaml:10:12: error:").contains("host bits set").contains("198.51.100.0/24");
        assertThat(p.get(1)).contains("p.yaml:10:29: error:").contains("empty group");
        assertThat(p.get(2)).contains("p.yaml:10:47: error:").contains("more than 255");
    }

    @Test
    void check_portsOutOfRange_error() {
        String yaml = BASE.replace("web-ports: [80, 443, 8000-8099]", "web-ports: [80, 70000, 8000-80999]");
        List<String> p = problems(yaml);
        assertThat(p).hasSize(2).allMatch(s -> s.contains("outside 0-65535"));
    }

    @Test
    void check_undefinedReferences_errorsWithSuggestions() {
        String yaml = BASE.replace("source: [$office]", "source: [$ofice]")
                .replace("destination: [service:web]", "destination: [service:webb]");
        List<String> p = problems(yaml);
        assertThat(p).hasSize(2);
        assertThat(p.get(0)).startsWith("p.yaml:19:14: error: undefined set '$ofice'").contains("'$office'");
        assertThat(p.get(1)).startsWith("p.yaml:21:19: error: undefined service 'webb'").contains("'service:web'");
    }

    @Test
    void check_setOfWrongKind_error() {
        String yaml = BASE.replace("source: [$office]", "source: [$web-ports]");
        assertThat(problems(yaml)).singleElement().asString().contains("is a set of ports, not of addresses");
    }

    @Test
    void check_duplicateNames_errorsPointAtSecond() {
        String yaml = BASE.replace("default: drop", """
                  - {name: office-to-web, action: drop}
                default: drop""").replace("services:\n", "services:\n  web: {listen: [203.0.113.11:80], "
                + "endpoints: [10.244.1.5:80]}\n");
        List<String> p = problems(yaml);
        assertThat(p).anyMatch(s -> s.startsWith("p.yaml:14:3: error: duplicate key 'web' (first at line 13)"));
        assertThat(p).anyMatch(s -> s.startsWith("p.yaml:26:12: error: duplicate rule name 'office-to-web'"));
    }

    @Test
    void check_overlappingNodePodCidrs_error() {
        String yaml = BASE.replace("podCIDR: 10.244.2.0/24", "podCIDR: 10.244.1.128/25");
        assertThat(problems(yaml)).anyMatch(s -> s.startsWith("p.yaml:8:51: error: node 'w2' podCIDR 10.244.1.128/25 "
                + "overlaps node 'w1' podCIDR 10.244.1.0/24 (line 7)"));
    }

    @Test
    void check_endpointOutsideEveryNode_error() {
        String yaml = BASE.replace("10.244.2.7:8443", "10.244.9.7:8443");
        assertThat(problems(yaml)).singleElement().asString()
                .startsWith("p.yaml:16:34: error: endpoint 10.244.9.7:8443 is outside every node's podCIDR");
    }

    @Test
    void check_listenerInsideServiceCidr_errorAlways() {
        String yaml = BASE.replace("listen: [203.0.113.10:443]", "listen: [10.96.0.1:443]");
        assertThat(problems(yaml)).singleElement().asString()
                .startsWith("p.yaml:14:14: error: listener 10.96.0.1:443 lies inside the service CIDR 10.96.0.0/12");
    }

    @Test
    void check_yaml12Booleans_noIsTextNotFalse() {
        String yaml = BASE.replace("log: true", "log: no");
        assertThat(problems(yaml)).singleElement().asString()
                .contains("must be true or false, not 'no'")
                .contains("YAML 1.2");
    }

    @Test
    void check_sexagesimalLookalike_isAMalformedPortNotANumber() {
        String yaml = BASE.replace("sourcePorts: [1024-65535]", "sourcePorts: [22:22]");
        assertThat(problems(yaml)).singleElement().asString().contains("malformed port '22:22'");
    }

    @Test
    void check_portsWithIcmp_error() {
        String yaml = BASE.replace("protocol: tcp\n    action", "protocol: icmp\n    action");
        assertThat(problems(yaml)).singleElement().asString().contains("protocol icmp has none");
    }

    @Test
    void check_familiesNeverMeet_error() {
        String yaml = BASE.replace("source: [$office]", "source: [2001:db8:1::/48]");
        assertThat(problems(yaml)).singleElement().asString().contains("can never match")
                .startsWith("p.yaml:18:5:");
    }

    @Test
    void check_emptyList_errorExplainsAny() {
        String yaml = BASE.replace("sourcePorts: [1024-65535]", "sourcePorts: []");
        assertThat(problems(yaml)).singleElement().asString().contains("empty list, which matches nothing")
                .contains("remove 'sourcePorts' to mean any");
    }

    @Test
    void check_missingRequired_error() {
        String yaml = BASE.replace("    action: accept\n", "");
        assertThat(problems(yaml)).singleElement().asString()
                .isEqualTo("p.yaml:18:5: error: rule 'office-to-web' has no 'action'");
    }

    @Test
    void check_destinationInServiceCidr_warningOnly() {
        String yaml = BASE.replace("default: drop", "  - {name: to-clusterip, destination: [10.96.0.10], "
                + "action: accept}\ndefault: drop");
        PolicyLoader.PolicyCheck c = PolicyLoader.check("p.yaml", yaml);
        assertThat(c.valid()).isTrue();
        assertThat(c.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.isError()).isFalse();
            assertThat(d.message()).contains("inside the service CIDR");
        });
    }

    @Test
    void check_malformedYaml_errorAtProblem() {
        List<String> p = problems("version: 1\ncluster: {name: x\n");
        assertThat(p).singleElement().asString().startsWith("p.yaml:3:1: error: malformed YAML:");
    }

    @Test
    void check_aliasBomb_refusedAtFirstAnchor() {
        String yaml = """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                """;
        List<String> p = problems(yaml);
        assertThat(p).isNotEmpty();
        assertThat(p.getFirst()).startsWith("p.yaml:1:4: error: YAML anchors are not allowed");
    }

    @Test
    void check_deepNesting_refusedWithoutStackOverflow() {
        String yaml = "version: 1\nrules: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
        assertThat(problems(yaml)).singleElement().asString().contains("nesting deeper than 64 levels");
    }

    @Test
    void check_objectConstructingTags_refused() {
        List<String> p = problems("version: 1\ncluster: !!javax.script.ScriptEngineManager [x]\n"
                + "rules: !custom [a]\n");
        assertThat(p).hasSize(2);
        assertThat(p.get(0)).startsWith("p.yaml:2:10: error: YAML tag 'tag:yaml.org,2002:javax.script");
        assertThat(p.get(1)).startsWith("p.yaml:3:8: error: YAML tag '!custom' is not allowed");
    }

    @Test
    void read_documentOverLimit_refused() {
        Diagnostics d = new Diagnostics();
        Optional<YamlNode> n = new YamlTreeReader("big.yaml", d, 1000)
                .read(new StringReader("rules: [" + "\"x\", ".repeat(500) + "]"));
        assertThat(n).isEmpty();
        assertThat(d.sorted()).singleElement().asString().contains("big.yaml").contains("1000");
    }

    @Test
    void check_twoDocuments_refused() {
        assertThat(problems("version: 1\n---\nversion: 1\n")).singleElement().asString()
                .startsWith("p.yaml:2:1: error: more than one YAML document");
    }

    @Test
    void check_emptyFile_refused() {
        assertThat(problems("# nothing\n")).singleElement().asString().contains("empty");
    }

    @Test
    void load_invalid_throwsWithEveryDiagnostic() {
        String yaml = BASE.replace("action: accept", "action: allow");
        assertThatThrownBy(() -> PolicyLoader.load("p.yaml", yaml))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("p.yaml:23:13: error: unknown action 'allow'")
                .satisfies(e -> assertThat(((PolicyException) e).diagnostics()).hasSize(1));
    }

    @Test
    void load_nestedSetsAndCycles_resolvedOrRefused() throws Exception {
        String ok = BASE.replace("web-ports: [80, 443, 8000-8099]",
                "web-ports: [80, 443, 8000-8099]\n  all: [$office, 192.0.2.0/24]");
        Policy p = PolicyLoader.load("p.yaml", ok);
        assertThat(((NamedSet.Addresses) p.sets().get("all")).prefixes()).hasSize(3);
        String cyclic = BASE.replace("web-ports: [80, 443, 8000-8099]", "web-ports: [80, $more]\n  more: [$web-ports]");
        assertThat(problems(cyclic)).anyMatch(s -> s.contains("refers to itself"));
    }

    /** A 100,000-rule policy in flow style (about 13 MB) is within every limit and loads whole. */
    @Test
    void load_hundredThousandFlowStyleRules_loadsEveryRule() throws Exception {
        StringBuilder sb = new StringBuilder(14_000_000);
        sb.append("version: 1\ncluster: {name: big, podCIDR: [10.244.0.0/16], serviceCIDR: [10.96.0.0/12]}\n");
        sb.append("rules:\n");
        for (int i = 0; i < 100_000; i++) {
            sb.append("  - {name: rule-").append(i).append(", source: [198.").append(18 + (i >> 16)).append('.')
                    .append((i >> 8) & 255).append('.').append(i & 255).append("/32], destination: [203.0.113.0/24]")
                    .append(", sourcePorts: [1024-65535], destinationPorts: [").append(1 + i % 1000)
                    .append("], protocol: tcp, action: accept, log: false}\n");
        }
        sb.append("default: drop\n");
        assertThat(sb.length()).isGreaterThan(12_000_000);
        PolicyLoader.PolicyCheck check = PolicyLoader.check("big.yaml", sb.toString());
        assertThat(check.diagnostics()).isEmpty();
        assertThat(check.policy().orElseThrow().rules()).hasSize(100_000);
        assertThat(check.policy().get().rules().get(99_999).location().line()).isEqualTo(100_003);
    }

    /** Lines at the indentation of a service's keys in BASE. */
    private static String serviceLines(String... lines) {
        return "    " + String.join("\n    ", lines);
    }

    @Test
    void load_serviceOptions_readWithDefaults() throws Exception {
        Policy p = PolicyLoader.load("p.yaml", BASE.replace("    protocol: tcp\n    endpoints", serviceLines(
                "protocol: tcp",
                "balance: maglev",
                "healthCheck: {interval: 500ms, timeout: 200ms, fall: 5}",
                "limits: {maxConnections: 100, perSourceRate: 2.5/s}",
                "timeouts: {idle: 1h}",
                "proxyProtocol: v2",
                "endpoints")));
        Service s = p.service("web").orElseThrow();
        assertThat(s.balance()).isEqualTo(Balance.MAGLEV);
        assertThat(s.healthCheck()).isEqualTo(new HealthCheck(true, java.time.Duration.ofMillis(500),
                java.time.Duration.ofMillis(200), 2, 5));
        assertThat(s.limits()).isEqualTo(new ServiceLimits(100, 0, 2.5, 3));
        assertThat(s.timeouts()).isEqualTo(new Timeouts(java.time.Duration.ofSeconds(5), java.time.Duration.ofHours(1)));
        assertThat(s.proxyProtocol()).isTrue();
        Service plain = PolicyLoader.load("p.yaml", BASE).service("web").orElseThrow();
        assertThat(plain.balance()).isEqualTo(Balance.ROUND_ROBIN);
        assertThat(plain.healthCheck()).isEqualTo(HealthCheck.DEFAULT);
        assertThat(plain.limits()).isEqualTo(ServiceLimits.NONE);
    }

    @Test
    void check_badServiceOptions_errorsWithPlaces() {
        String yaml = BASE.replace("    protocol: tcp\n    endpoints", serviceLines(
                "protocol: tcp",
                "balance: random",
                "healthCheck: {interval: 5, rise: 0}",
                "limits: {maxConnection: 1}",
                "timeouts: {idle: 0s}",
                "proxyProtocol: yes",
                "endpoints"));
        List<String> p = problems(yaml);
        assertThat(p).hasSize(6);
        assertThat(p.get(0)).startsWith("p.yaml:16:14: error: unknown balance 'random'");
        assertThat(p.get(1)).startsWith("p.yaml:17:29: error: healthCheck interval '5' is not a positive duration");
        assertThat(p.get(2)).startsWith("p.yaml:17:38: error: healthCheck rise '0' is not a whole number from 1");
        assertThat(p.get(3)).startsWith("p.yaml:18:14: error: unknown key 'maxConnection'")
                .contains("did you mean 'maxConnections'?");
        assertThat(p.get(4)).startsWith("p.yaml:19:22: error: idle timeout '0s' is not a positive duration");
        assertThat(p.get(5)).startsWith("p.yaml:20:20: error: unknown proxyProtocol 'yes'");
    }
}
