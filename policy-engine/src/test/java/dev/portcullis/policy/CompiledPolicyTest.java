package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.classifier.ClassifierRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The compiled policy (rule expansion into boxes, then the classifier) against a reference that reads the rules'
 * meaning directly: first rule whose every field matches.
 */
class CompiledPolicyTest {

    private static final Location AT = new Location("t.yaml", 1, 1);
    private static final Cluster CLUSTER = new Cluster("t", List.of(IpPrefix.parse("10.244.0.0/16")),
            List.of(IpPrefix.parse("10.96.0.0/12")), List.of());

    /** The reference: the meaning of a rule, written as plainly as possible. */
    static boolean matches(Rule r, FlowKey f) {
        if (!r.sources().isEmpty() && r.sources().stream().noneMatch(p -> p.contains(f.source()))) {
            return false;
        }
        if (!r.sourcePorts().isEmpty() && r.sourcePorts().stream().noneMatch(p -> p.contains(f.sourcePort()))) {
            return false;
        }
        if (r.protocol().isPresent() && r.protocol().getAsInt() != f.protocol()) {
            return false;
        }
        boolean dportOk = r.destinationPorts().isEmpty()
                || r.destinationPorts().stream().anyMatch(p -> p.contains(f.destinationPort()));
        if (r.anyDestination()) {
            return dportOk;
        }
        boolean viaPrefix = dportOk && r.destinations().stream().anyMatch(p -> p.contains(f.destination()));
        boolean viaService = r.serviceTargets().stream().anyMatch(t -> t.address().equals(f.destination())
                && (r.destinationPorts().isEmpty() ? t.port() == f.destinationPort() : dportOk));
        return viaPrefix || viaService;
    }

    static int reference(List<Rule> rules, FlowKey f) {
        for (int i = 0; i < rules.size(); i++) {
            if (matches(rules.get(i), f)) {
                return i;
            }
        }
        return -1;
    }

    private static Policy policy(List<Rule> rules) {
        return new Policy("t.yaml", 1, CLUSTER, Map.of(), List.of(), rules, Action.DROP, List.of());
    }

    // ---- random policies, biased to small address and port spaces so rules and flows collide often ----

    private static IpAddress address(Random rnd, IpFamily family) {
        if (family == IpFamily.V4) {
            return IpAddress.v4(0xC000_0200 | rnd.nextInt(64)); // 192.0.2.0-63
        }
        return IpAddress.v6(0x2001_0db8_0000_0000L, rnd.nextInt(64));
    }

    private static IpPrefix prefix(Random rnd, IpFamily family) {
        int max = family.bits();
        int len = switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> max;
            default -> max - rnd.nextInt(7);
        };
        return IpPrefix.of(address(rnd, family), len);
    }

    private static PortRange range(Random rnd) {
        int lo = rnd.nextInt(20);
        return rnd.nextBoolean() ? PortRange.of(lo) : new PortRange(lo, lo + rnd.nextInt(10));
    }

    private static Rule rule(Random rnd, int number) {
        IpFamily fam = rnd.nextBoolean() ? IpFamily.V4 : IpFamily.V6;
        List<IpPrefix> sources = new ArrayList<>();
        int ns = rnd.nextInt(3);
        for (int i = 0; i < ns; i++) {
            sources.add(prefix(rnd, rnd.nextInt(4) == 0 ? other(fam) : fam));
        }
        List<IpPrefix> dests = new ArrayList<>();
        List<HostPort> targets = new ArrayList<>();
        int nd = rnd.nextInt(3);
        for (int i = 0; i < nd; i++) {
            dests.add(prefix(rnd, fam));
        }
        if (rnd.nextInt(4) == 0) {
            targets.add(new HostPort(address(rnd, fam), 1 + rnd.nextInt(19)));
        }
        List<PortRange> sports = rnd.nextInt(3) == 0 ? List.of(range(rnd)) : List.of();
        List<PortRange> dports = new ArrayList<>();
        int np = rnd.nextInt(3);
        for (int i = 0; i < np; i++) {
            dports.add(range(rnd));
        }
        OptionalInt proto = switch (rnd.nextInt(3)) {
            case 0 -> OptionalInt.empty();
            case 1 -> OptionalInt.of(6);
            default -> OptionalInt.of(17);
        };
        Action action = Action.values()[rnd.nextInt(3)];
        return new Rule(number, "r" + number, new Location("t.yaml", number, 5), sources, sports, dests, targets,
                dports, proto, action, false, Optional.empty());
    }

    private static IpFamily other(IpFamily f) {
        return f == IpFamily.V4 ? IpFamily.V6 : IpFamily.V4;
    }

    private static FlowKey flow(Random rnd) {
        IpFamily fam = rnd.nextBoolean() ? IpFamily.V4 : IpFamily.V6;
        return new FlowKey(address(rnd, fam), address(rnd, fam), rnd.nextInt(32), rnd.nextInt(32),
                rnd.nextInt(3) == 0 ? 17 : 6);
    }

    /** Invariant: for every flow, the compiled policy picks the same rule as the reference. */
    @Property(tries = 200)
    void match_randomPolicies_agreesWithReference(@ForAll long seed, @ForAll @IntRange(min = 0, max = 60) int n) {
        Random rnd = new Random(seed);
        List<Rule> rules = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            rules.add(rule(rnd, i));
        }
        CompiledPolicy compiled = CompiledPolicy.compile(policy(rules));
        for (int k = 0; k < 300; k++) {
            FlowKey f = flow(rnd);
            int expected = reference(rules, f);
            assertThat(compiled.match(f)).as("flow %s", f).isEqualTo(expected);
            assertThat(compiled.action(compiled.match(f)))
                    .isEqualTo(expected < 0 ? Action.DROP : rules.get(expected).action());
        }
    }

    /**
     * Invariant: the shadow analysis warns about exactly the rules each of whose boxes lies inside one box of an
     * earlier rule, found here by brute force.
     */
    @Property(tries = 200)
    void shadows_randomPolicies_matchBruteForce(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int n) {
        Random rnd = new Random(seed);
        List<Rule> rules = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            rules.add(rule(rnd, i));
        }
        Set<String> expected = new HashSet<>();
        List<List<ClassifierRule>> boxes = rules.stream().map(PolicyBoxes::expand).toList();
        for (int i = 0; i < rules.size(); i++) {
            boolean all = !boxes.get(i).isEmpty();
            for (ClassifierRule b : boxes.get(i)) {
                boolean covered = false;
                for (int j = 0; j < i && !covered; j++) {
                    for (ClassifierRule o : boxes.get(j)) {
                        covered |= PolicyBoxes.contains(o, b);
                    }
                }
                all &= covered;
            }
            if (all) {
                expected.add(rules.get(i).name());
            }
        }
        Diagnostics d = new Diagnostics();
        ShadowAnalysis.warn(CompiledPolicy.compile(policy(rules)), d);
        Set<String> warned = new HashSet<>();
        for (Diagnostic w : d.sorted()) {
            warned.add(w.message().substring("rule '".length(), w.message().indexOf("' can never match")));
        }
        assertThat(warned).isEqualTo(expected);
    }

    @Test
    void decide_serviceTarget_matchesItsOwnPortOnly() throws Exception {
        Policy p = PolicyLoader.load("p.yaml", PolicyLoaderTest.BASE);
        CompiledPolicy c = CompiledPolicy.compile(p);
        FlowKey ok = new FlowKey(IpAddress.parse("198.51.100.9"), IpAddress.parse("203.0.113.10"), 40000, 443, 6);
        FlowKey otherPort = new FlowKey(IpAddress.parse("198.51.100.9"), IpAddress.parse("203.0.113.10"), 40000,
                80, 6);
        FlowKey lowSourcePort = new FlowKey(IpAddress.parse("198.51.100.9"), IpAddress.parse("203.0.113.10"), 80,
                443, 6);
        assertThat(c.decide(ok).explain()).isEqualTo("accept by rule 1 'office-to-web' (p.yaml:18:5)");
        assertThat(c.decide(otherPort).explain()).isEqualTo("drop by default");
        assertThat(c.decide(lowSourcePort).ruleNumber()).isZero();
    }

    @Test
    void expand_anyAddresses_coverBothFamilies() {
        Rule r = new Rule(1, "any", AT, List.of(), List.of(), List.of(), List.of(), List.of(), OptionalInt.empty(),
                Action.ACCEPT, false, Optional.empty());
        List<ClassifierRule> boxes = PolicyBoxes.expand(r);
        assertThat(boxes).extracting(b -> b.source().family()).containsExactlyInAnyOrder(IpFamily.V4, IpFamily.V6);
        CompiledPolicy c = CompiledPolicy.compile(policy(List.of(r)));
        assertThat(c.match(new FlowKey(IpAddress.parse("::1"), IpAddress.parse("::2"), 0, 0, 58))).isZero();
        assertThat(c.match(new FlowKey(IpAddress.parse("0.0.0.0"), IpAddress.parse("255.255.255.255"), 65535, 0,
                255))).isZero();
    }
}
