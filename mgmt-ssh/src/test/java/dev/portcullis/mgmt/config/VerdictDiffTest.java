package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.policy.Policy;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.policy.PortRange;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class VerdictDiffTest {

    private static final String HEAD = """
            version: 1
            cluster: {name: t, podCIDR: [10.244.0.0/16], serviceCIDR: [10.96.0.0/12]}
            services:
              web: {listen: [10.0.0.5:80], endpoints: [10.244.1.5:80]}
            """;

    private static CompiledPolicy compile(String rules, String dflt) throws Exception {
        String list = rules.isBlank() ? "rules: []\n" : "rules:\n" + rules.indent(2);
        return PolicyLoader.compile("p", HEAD + list + "default: " + dflt + "\n");
    }

    private static FlowKey tcp(String src, int sport, String dst, int dport) {
        return new FlowKey(IpAddress.parse(src), IpAddress.parse(dst), sport, dport, IpProtocols.TCP);
    }

    private static List<String> transitions(VerdictDiffReport r) {
        return r.transitions().stream().map(t -> t.before() + " -> " + t.after()).toList();
    }

    @Test
    void compare_samePolicy_noChangeAndExhaustive() throws Exception {
        CompiledPolicy p = compile("- {name: a, source: [10.0.0.0/29], action: accept}", "drop");
        VerdictDiffReport r = VerdictDiff.compare(p, p, List.of(tcp("10.0.0.1", 1, "10.0.0.9", 80)));
        assertThat(r.exhaustive()).isTrue();
        assertThat(r.changes()).isFalse();
        assertThat(r.recentSampled()).isEqualTo(1);
        assertThat(r.format()).isEqualTo("No flow changes verdict (every class of flows checked).\n");
    }

    @Test
    void compare_actionFlipped_oneTransitionWithAnExampleInsideTheRule() throws Exception {
        CompiledPolicy before = compile("- {name: a, source: [10.0.0.0/29], destinationPorts: [5-7], action: accept}",
                "drop");
        CompiledPolicy after = compile("- {name: a, source: [10.0.0.0/29], destinationPorts: [5-7], action: reject}",
                "drop");
        VerdictDiffReport r = VerdictDiff.compare(before, after, List.of());
        assertThat(transitions(r)).containsExactly("accept by rule 'a' -> reject by rule 'a'");
        FlowKey example = r.transitions().getFirst().example().flow();
        assertThat(IpPrefix.parse("10.0.0.0/29").contains(example.source())).isTrue();
        assertThat(example.destinationPort()).isBetween(5, 7);
    }

    /** A reordering changes verdicts only where the two rules overlap: no single rule's corner lies there. */
    @Test
    void compare_rulesReordered_changeFoundInTheirOverlap() throws Exception {
        String drop = "- {name: block, source: [10.0.0.8/29], action: drop}\n";
        String web = "- {name: web, destinationPorts: [80], protocol: tcp, action: accept}\n";
        CompiledPolicy before = compile(drop + web, "reject");
        CompiledPolicy after = compile(web + drop, "reject");
        VerdictDiffReport exhaustive = VerdictDiff.compare(before, after, List.of());
        assertThat(transitions(exhaustive)).containsExactly("drop by rule 'block' -> accept by rule 'web'");
        VerdictDiffReport sampled = VerdictDiff.compare(before, after, List.of(), 0, 10_000);
        assertThat(sampled.exhaustive()).isFalse();
        assertThat(transitions(sampled)).containsExactly("drop by rule 'block' -> accept by rule 'web'");
        FlowKey f = sampled.transitions().getFirst().example().flow();
        assertThat(IpPrefix.parse("10.0.0.8/29").contains(f.source())).isTrue();
        assertThat(f.destinationPort()).isEqualTo(80);
        assertThat(f.protocol()).isEqualTo(IpProtocols.TCP);
    }

    @Test
    void compare_ruleRenamed_countsAsAnotherDecidingRule() throws Exception {
        VerdictDiffReport r = VerdictDiff.compare(compile("- {name: a, action: accept}", "drop"),
                compile("- {name: b, action: accept}", "drop"), List.of());
        assertThat(transitions(r)).containsExactly("accept by rule 'a' -> accept by rule 'b'");
    }

    @Test
    void compare_ruleInsertedAbove_numbersShiftWithoutAChange() throws Exception {
        String rules = "- {name: a, source: [10.0.0.0/30], action: accept}\n";
        VerdictDiffReport r = VerdictDiff.compare(compile(rules, "drop"),
                compile("- {name: z, source: [192.0.2.0/24], action: drop}\n" + rules, "drop"), List.of());
        assertThat(transitions(r)).containsExactly("drop by default -> drop by rule 'z'");
    }

    @Test
    void compare_recentRealFlows_listedWhenTheyChange() throws Exception {
        CompiledPolicy before = compile("- {name: web, destination: [service:web], action: accept}", "drop");
        CompiledPolicy after = compile("- {name: web, destination: [service:web], source: [10.0.0.0/30], "
                + "action: accept}", "drop");
        FlowKey kept = tcp("10.0.0.1", 40000, "10.0.0.5", 80);
        FlowKey lost = tcp("198.51.100.7", 40001, "10.0.0.5", 80);
        FlowKey v6 = new FlowKey(IpAddress.parse("2001:db8::1"), IpAddress.parse("2001:db8::2"), 1, 2, 17);
        VerdictDiffReport r = VerdictDiff.compare(before, after, List.of(lost, kept, v6));
        assertThat(r.recentSampled()).isEqualTo(3);
        assertThat(r.recentChanged()).isEqualTo(1);
        assertThat(r.recentChanges()).extracting(VerdictChange::flow).containsExactly(lost);
        assertThat(r.format()).contains("Recent real flows: 1 of 3 would change:\n  tcp 198.51.100.7:40001 -> "
                + "10.0.0.5:80: accept by rule 'web' -> drop by default\n");
    }

    @Test
    void compare_ipv6Rules_exhaustiveOverBothFamilies() throws Exception {
        CompiledPolicy before = compile("- {name: v6, source: [\"2001:db8::/64\"], action: accept}", "drop");
        CompiledPolicy after = compile("- {name: v6, source: [\"2001:db8::/65\"], action: accept}", "drop");
        VerdictDiffReport r = VerdictDiff.compare(before, after, List.of());
        assertThat(r.exhaustive()).isTrue();
        assertThat(transitions(r)).containsExactly("accept by rule 'v6' -> drop by default");
        assertThat(r.transitions().getFirst().example().flow().source())
                .isEqualTo(IpAddress.parse("2001:db8::8000:0:0:0"));
    }

    @Test
    void samples_boxCorners_includeEachRulesLowestAndHighestPoint() throws Exception {
        CompiledPolicy p = compile("- {name: a, source: [10.0.0.4/30], sourcePorts: [3-5], destination: "
                + "[10.0.0.8/29], destinationPorts: [7], protocol: udp, action: accept}", "drop");
        Set<FlowKey> samples = VerdictDiff.samples(p, p, 1000);
        assertThat(samples).contains(
                new FlowKey(IpAddress.parse("10.0.0.4"), IpAddress.parse("10.0.0.8"), 3, 7, IpProtocols.UDP),
                new FlowKey(IpAddress.parse("10.0.0.7"), IpAddress.parse("10.0.0.15"), 5, 7, IpProtocols.UDP));
        assertThat(VerdictDiff.samples(p, p, 3)).hasSize(3);
    }

    // ---- against a brute-force reference ----

    /** One generated rule, written as a flow mapping. */
    record RuleSpec(List<String> sources, List<String> sourcePorts, List<String> destinations,
                    List<String> destinationPorts, String protocol, String action) {
        String yaml(String name) {
            StringBuilder sb = new StringBuilder("- {name: ").append(name);
            field(sb, "source", sources);
            field(sb, "sourcePorts", sourcePorts);
            field(sb, "destination", destinations);
            field(sb, "destinationPorts", destinationPorts);
            if (!protocol.isEmpty()) {
                sb.append(", protocol: ").append(protocol);
            }
            return sb.append(", action: ").append(action).append("}\n").toString();
        }

        private static void field(StringBuilder sb, String key, List<String> values) {
            if (!values.isEmpty()) {
                sb.append(", ").append(key).append(": [").append(String.join(", ", values)).append(']');
            }
        }

        RuleSpec withAction(String a) {
            return new RuleSpec(sources, sourcePorts, destinations, destinationPorts, protocol, a);
        }
    }

    enum Mutation { FLIP_ACTION, SWAP, DELETE, INSERT, DEFAULT, REPLACE, NONE }

    @Provide
    Arbitrary<RuleSpec> rules() {
        Arbitrary<String> prefix = Combinators.combine(Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(29, 32)).as((x, len) -> "10.0.0." + (x & (0xFF << (32 - len)) & 0xFF)
                + "/" + len);
        Arbitrary<String> port = Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 2)).as((lo, w) -> w == 0 ? Integer.toString(lo)
                : lo + "-" + Math.min(5, lo + w));
        Arbitrary<List<String>> addresses = prefix.list().ofMinSize(0).ofMaxSize(2);
        Arbitrary<List<String>> destinations = Arbitraries.oneOf(addresses, Arbitraries.just(List.of("service:web")));
        Arbitrary<List<String>> ports = port.list().ofMinSize(0).ofMaxSize(2);
        return Combinators.combine(addresses, ports, destinations, ports, Arbitraries.of("", "tcp", "udp", "icmp"),
                Arbitraries.of("accept", "drop", "reject")).as((s, sp, d, dp, proto, a) -> proto.equals("icmp")
                ? new RuleSpec(s, List.of(), d, List.of(), proto, a) : new RuleSpec(s, sp, d, dp, proto, a));
    }

    private static String render(List<RuleSpec> rules, List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rules.size(); i++) {
            sb.append(rules.get(i).yaml(names.get(i)));
        }
        return sb.toString();
    }

    /**
     * Invariant: on generated policies small enough for the grid, the verdict diff reports exactly the changes of
     * verdict a brute-force first-match scan finds over a universe of flows that holds a flow of every class, each
     * with a correct example; and on recent flows, exactly those that change.
     */
    @Property(tries = 30)
    void compare_generatedPolicies_matchesBruteForce(
            @ForAll("rulesList") List<RuleSpec> rules, @ForAll Mutation mutation,
            @ForAll("index") int i, @ForAll("index") int j, @ForAll("rules") RuleSpec extra,
            @ForAll("actions") String dflt, @ForAll("actions") String otherDefault) throws Exception {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < rules.size(); k++) {
            names.add("r" + k);
        }
        List<RuleSpec> after = new ArrayList<>(rules);
        List<String> afterNames = new ArrayList<>(names);
        String afterDefault = dflt;
        int n = rules.size();
        switch (mutation) {
            case FLIP_ACTION -> {
                if (n > 0) {
                    RuleSpec r = after.get(i % n);
                    after.set(i % n, r.withAction(r.action().equals("accept") ? "drop" : "accept"));
                }
            }
            case SWAP -> {
                if (n > 1) {
                    java.util.Collections.swap(after, i % n, j % n);
                    java.util.Collections.swap(afterNames, i % n, j % n);
                }
            }
            case DELETE -> {
                if (n > 0) {
                    after.remove(i % n);
                    afterNames.remove(i % n);
                }
            }
            case INSERT -> {
                after.add(i % (n + 1), extra);
                afterNames.add(i % (n + 1), "new");
            }
            case DEFAULT -> afterDefault = otherDefault;
            case REPLACE -> {
                if (n > 0) {
                    after.set(i % n, extra);
                }
            }
            case NONE -> {
            }
        }
        CompiledPolicy a = compile(render(rules, names), dflt);
        CompiledPolicy b = compile(render(after, afterNames), afterDefault);
        List<FlowKey> universe = universe();
        List<FlowKey> recent = new ArrayList<>();
        for (int k = (i * 7919 + j) % 997; k < universe.size(); k += 997) {
            recent.add(universe.get(k));
        }
        VerdictDiffReport report = VerdictDiff.compare(a, b, recent);
        assertThat(report.exhaustive()).isTrue();

        Set<String> expected = new HashSet<>();
        for (FlowKey f : universe) {
            Verdict va = reference(a.policy(), f);
            Verdict vb = reference(b.policy(), f);
            if (changed(va, vb)) {
                expected.add(VerdictChange.label(va) + " -> " + VerdictChange.label(vb));
            }
        }
        assertThat(new HashSet<>(transitions(report))).isEqualTo(expected);
        for (VerdictTransition t : report.transitions()) {
            FlowKey f = t.example().flow();
            assertThat(VerdictChange.label(reference(a.policy(), f))).isEqualTo(t.before());
            assertThat(VerdictChange.label(reference(b.policy(), f))).isEqualTo(t.after());
        }
        List<FlowKey> recentChanged = recent.stream()
                .filter(f -> changed(reference(a.policy(), f), reference(b.policy(), f))).toList();
        assertThat(report.recentChanged()).isEqualTo(recentChanged.size());
        assertThat(report.recentChanges()).extracting(VerdictChange::flow)
                .containsExactlyElementsOf(recentChanged.subList(0, Math.min(VerdictDiff.MAX_LISTED,
                        recentChanged.size())));
    }

    @Provide
    Arbitrary<List<RuleSpec>> rulesList() {
        return rules().list().ofMinSize(0).ofMaxSize(6);
    }

    @Provide
    Arbitrary<Integer> index() {
        return Arbitraries.integers().between(0, 1000);
    }

    @Provide
    Arbitrary<String> actions() {
        return Arbitraries.of("accept", "drop", "reject");
    }

    private static boolean changed(Verdict a, Verdict b) {
        return a.action() != b.action() || !a.rule().map(Rule::name).equals(b.rule().map(Rule::name));
    }

    /**
     * Every class of flows of the generated policies: each address of 10.0.0.0/29 and one below and above it, each
     * port the rules can name (0-5) and one above, the service's (80) and one on each side; a protocol of each
     * class; and an IPv6 pair. Protocols without ports carry port 0, as the data plane sees them.
     */
    private static List<FlowKey> universe() {
        List<IpAddress> addresses = new ArrayList<>();
        for (int x = 0; x <= 8; x++) {
            addresses.add(IpAddress.parse("10.0.0." + x));
        }
        addresses.add(IpAddress.parse("0.0.0.0"));
        addresses.add(IpAddress.parse("255.255.255.255"));
        int[] ports = {0, 1, 2, 3, 4, 5, 6, 79, 80, 81, 65535};
        int[] portful = {IpProtocols.TCP, IpProtocols.UDP, IpProtocols.SCTP};
        int[] portless = {0, 1, 2, 7, 18, 133, 255};
        List<FlowKey> out = new ArrayList<>();
        for (IpAddress s : addresses) {
            for (IpAddress d : addresses) {
                flows(out, s, d, ports, portful, portless);
            }
        }
        flows(out, IpAddress.parse("2001:db8::1"), IpAddress.parse("2001:db8::2"), ports, portful, portless);
        return out;
    }

    private static void flows(List<FlowKey> out, IpAddress s, IpAddress d, int[] ports, int[] portful,
                              int[] portless) {
        for (int p : portful) {
            for (int sp : ports) {
                for (int dp : ports) {
                    out.add(new FlowKey(s, d, sp, dp, p));
                }
            }
        }
        for (int p : portless) {
            out.add(new FlowKey(s, d, 0, 0, p));
        }
    }

    /** First match by a linear scan over the rules, from the semantics in docs/policy.md, not the classifier. */
    static Verdict reference(Policy p, FlowKey f) {
        for (Rule r : p.rules()) {
            if (matches(r, f)) {
                return new Verdict(r.action(), Optional.of(r));
            }
        }
        return new Verdict(p.defaultAction(), Optional.empty());
    }

    private static boolean matches(Rule r, FlowKey f) {
        if (!r.sources().isEmpty() && !inPrefixes(r.sources(), f.source())) {
            return false;
        }
        if (!inPorts(r.sourcePorts(), f.sourcePort())) {
            return false;
        }
        if (r.protocol().isPresent() && r.protocol().getAsInt() != f.protocol()) {
            return false;
        }
        if (r.anyDestination()) {
            return inPorts(r.destinationPorts(), f.destinationPort());
        }
        if (inPrefixes(r.destinations(), f.destination()) && inPorts(r.destinationPorts(), f.destinationPort())) {
            return true;
        }
        for (HostPort t : r.serviceTargets()) {
            boolean port = r.destinationPorts().isEmpty() ? t.port() == f.destinationPort()
                    : inPorts(r.destinationPorts(), f.destinationPort());
            if (t.address().equals(f.destination()) && port) {
                return true;
            }
        }
        return false;
    }

    private static boolean inPrefixes(List<IpPrefix> prefixes, IpAddress a) {
        for (IpPrefix p : prefixes) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inPorts(List<PortRange> ranges, int port) {
        if (ranges.isEmpty()) {
            return true;
        }
        for (PortRange r : ranges) {
            if (r.contains(port)) {
                return true;
            }
        }
        return false;
    }
}
