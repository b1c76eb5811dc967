package dev.portcullis.policy.classifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The compiled classifier agrees with a linear scan on random rule sets, for flows aimed at rule corners and
 * boundaries, where an off-by-one in a cut or a range test would show.
 */
class ClassifierPropertiesTest {

    private static final int FLOWS_PER_SET = 300;

    @Property(tries = 60)
    void lookup_randomRulesAndCornerFlows_agreesWithLinearScan(@ForAll("ruleSets") List<ClassifierRule> rules,
            @ForAll Random random) {
        Classifier classifier = Classifier.compile(rules);
        LinearClassifier reference = new LinearClassifier(rules);

        for (int i = 0; i < FLOWS_PER_SET; i++) {
            Flow f = Flow.near(rules, random);
            int want = reference.lookup(f.src, f.dst, f.srcPort, f.dstPort, f.protocol);
            assertThat(f.lookupAfter(classifier, -1)).as("%s", f).isEqualTo(want);
            if (f.src.family() == IpFamily.V4) {
                assertThat(reference.lookupV4(f.src.v4Bits(), f.dst.v4Bits(), f.srcPort, f.dstPort, f.protocol))
                        .as("fast reference path %s", f).isEqualTo(want);
            }
        }
    }

    @Property(tries = 60)
    void lookupAfter_randomRulesAndCornerFlows_enumeratesLikeLinearScan(
            @ForAll("ruleSets") List<ClassifierRule> rules, @ForAll Random random) {
        Classifier classifier = Classifier.compile(rules);
        LinearClassifier reference = new LinearClassifier(rules);

        for (int i = 0; i < FLOWS_PER_SET / 3; i++) {
            Flow f = Flow.near(rules, random);
            int after = -1;
            for (int step = 0; step < 400; step++) { // every matching priority, in order
                int want = reference.lookupAfter(after, f.src, f.dst, f.srcPort, f.dstPort, f.protocol);
                assertThat(f.lookupAfter(classifier, after)).as("after %d: %s", after, f).isEqualTo(want);
                if (want < 0) {
                    break;
                }
                after = want;
            }
            int arbitrary = random.nextInt(160) - 1;
            assertThat(f.lookupAfter(classifier, arbitrary)).as("after %d: %s", arbitrary, f)
                    .isEqualTo(reference.lookupAfter(arbitrary, f.src, f.dst, f.srcPort, f.dstPort, f.protocol));
        }
    }

    @Provide
    Arbitrary<List<ClassifierRule>> ruleSets() {
        return rule().list().ofMinSize(0).ofMaxSize(300);
    }

    private Arbitrary<ClassifierRule> rule() {
        Arbitrary<IpFamily> family = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(IpFamily.V4)),
                Tuple.of(1, Arbitraries.just(IpFamily.V6)));
        return family.flatMap(f -> Combinators.combine(
                Arbitraries.integers().between(0, 150), // small range: many shared priorities
                prefix(f), prefix(f), ports(), ports(), protocol())
                .as((priority, src, dst, sp, dp, proto) -> new ClassifierRule(priority, src, dst, sp, dp,
                        proto[0], proto[1])));
    }

    /** Prefixes from a few clustered networks, so that rules overlap and nest; lengths favour 0, /8-/32. */
    private static Arbitrary<IpPrefix> prefix(IpFamily family) {
        if (family == IpFamily.V4) {
            Arbitrary<Integer> base = Arbitraries.oneOf(
                    Arbitraries.of(0x0A00_0000, 0xC0A8_0000, 0xFFFF_FF00, 0x0000_0000, 0x8000_0000),
                    Arbitraries.integers().between(Integer.MIN_VALUE, Integer.MAX_VALUE));
            Arbitrary<Integer> noise = Arbitraries.integers().between(0, 0xFFFF);
            Arbitrary<Integer> length = Arbitraries.frequencyOf(
                    Tuple.of(2, Arbitraries.just(0)),
                    Tuple.of(3, Arbitraries.integers().between(1, 16)),
                    Tuple.of(4, Arbitraries.integers().between(17, 31)),
                    Tuple.of(3, Arbitraries.just(32)));
            return Combinators.combine(base, noise, length)
                    .as((b, n, len) -> IpPrefix.of(IpAddress.v4(b ^ n), len));
        }
        Arbitrary<Long> hi = Arbitraries.oneOf(
                Arbitraries.of(0x2001_0db8_0000_0000L, 0L, -1L, 0xfe80_0000_0000_0000L),
                Arbitraries.longs());
        Arbitrary<Long> hiNoise = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
        Arbitrary<Long> lo = Arbitraries.oneOf(Arbitraries.of(0L, 1L, -1L, Long.MIN_VALUE), Arbitraries.longs());
        Arbitrary<Integer> length = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.integers().between(1, 63)),
                Tuple.of(2, Arbitraries.of(32, 48, 64, 65, 96)),
                Tuple.of(3, Arbitraries.integers().between(65, 127)),
                Tuple.of(2, Arbitraries.just(128)));
        return Combinators.combine(hi, hiNoise, lo, length)
                .as((h, n, l, len) -> IpPrefix.of(IpAddress.v6(h ^ n, l), len));
    }

    /** Exact ports, ranges (including ones touching 0 and 65535) and any. */
    private static Arbitrary<PortRange> ports() {
        Arbitrary<Integer> port = Arbitraries.oneOf(Arbitraries.of(0, 1, 80, 443, 1023, 1024, 65534, 65535),
                Arbitraries.integers().between(0, 65535));
        return Arbitraries.oneOf(
                Arbitraries.just(PortRange.ANY),
                port.map(PortRange::of),
                Combinators.combine(port, port).as((a, b) -> new PortRange(Math.min(a, b), Math.max(a, b))));
    }

    /** {lo, hi}: exact (0, 6, 17, 255, random) or any. */
    private static Arbitrary<int[]> protocol() {
        return Arbitraries.oneOf(
                Arbitraries.just(new int[] {0, 255}),
                Arbitraries.of(0, 1, 6, 17, 254, 255).map(p -> new int[] {p, p}),
                Arbitraries.integers().between(0, 255).map(p -> new int[] {p, p}));
    }

    /** A header, aimed near a random rule's corners, or anywhere. */
    private record Flow(IpAddress src, IpAddress dst, int srcPort, int dstPort, int protocol) {

        static Flow near(List<ClassifierRule> rules, Random random) {
            if (rules.isEmpty() || random.nextInt(8) == 0) {
                IpFamily f = random.nextBoolean() ? IpFamily.V4 : IpFamily.V6;
                return new Flow(anyAddress(f, random), anyAddress(f, random), random.nextInt(65536),
                        random.nextInt(65536), random.nextInt(256));
            }
            ClassifierRule r = rules.get(random.nextInt(rules.size()));
            return new Flow(corner(r.source(), random), corner(r.destination(), random),
                    corner(r.sourcePorts().lo(), r.sourcePorts().hi(), 65535, random),
                    corner(r.destinationPorts().lo(), r.destinationPorts().hi(), 65535, random),
                    corner(r.protocolLo(), r.protocolHi(), 255, random));
        }

        private static IpAddress anyAddress(IpFamily f, Random random) {
            return f == IpFamily.V4 ? IpAddress.v4(random.nextInt()) : IpAddress.v6(random.nextLong(),
                    random.nextLong());
        }

        /** first, last, first - 1, last + 1 (wrapping at the ends of the space), or a random address inside. */
        private static IpAddress corner(IpPrefix p, Random random) {
            IpAddress first = p.first();
            IpAddress last = p.last();
            return switch (random.nextInt(5)) {
                case 0 -> first;
                case 1 -> last;
                case 2 -> add(first, -1);
                case 3 -> add(last, 1);
                default -> {
                    IpAddress any = anyAddress(p.family(), random); // random host bits inside p
                    yield p.family() == IpFamily.V4
                            ? IpAddress.v4((int) (first.lo() | (any.lo() & (last.lo() ^ first.lo()))))
                            : IpAddress.v6(first.hi() | (any.hi() & (last.hi() ^ first.hi())),
                                    first.lo() | (any.lo() & (last.lo() ^ first.lo())));
                }
            };
        }

        private static IpAddress add(IpAddress a, int delta) {
            if (a.family() == IpFamily.V4) {
                return IpAddress.v4((int) a.lo() + delta);
            }
            long lo = a.lo() + delta;
            long carry = delta > 0 ? (lo == 0 ? 1 : 0) : (a.lo() == 0 ? -1 : 0);
            return IpAddress.v6(a.hi() + carry, lo);
        }

        private static int corner(int lo, int hi, int max, Random random) {
            return switch (random.nextInt(5)) {
                case 0 -> lo;
                case 1 -> hi;
                case 2 -> lo == 0 ? max : lo - 1;
                case 3 -> hi == max ? 0 : hi + 1;
                default -> lo + random.nextInt(hi - lo + 1);
            };
        }

        int lookupAfter(Classifier c, int after) {
            if (src.family() == IpFamily.V4) {
                return c.lookupV4After(after, src.v4Bits(), dst.v4Bits(), srcPort, dstPort, protocol);
            }
            return c.lookupV6After(after, src.hi(), src.lo(), dst.hi(), dst.lo(), srcPort, dstPort, protocol);
        }
    }
}
