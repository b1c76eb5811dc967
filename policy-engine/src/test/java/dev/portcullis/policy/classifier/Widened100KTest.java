package dev.portcullis.policy.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The widened 100K sets (as the benchmarks build them) agree with a linear scan on a sample of flows: trace
 * headers, and headers aimed at the corners of random rules.
 */
class Widened100KTest {

    /** Same factor and seed as the benchmarks. */
    static final int FACTOR = 10;
    static final long SEED = 20261128L;
    private static final int TRACE_SAMPLES = 750;
    private static final int CORNER_SAMPLES = 750;

    @ParameterizedTest
    @ValueSource(strings = {"acl1_10K", "fw1_10K", "ipc1_10K"})
    void lookupV4_widenedTo100K_agreesWithLinearScanOnSampledFlows(String set) {
        Optional<Path> folder = ClassBenchData.folder();
        assumeTrue(folder.isPresent(), "shared/data/classbench not found above " + Path.of("").toAbsolutePath()
                + "; 100K tests skipped");
        List<ClassifierRule> rules = ClassBenchWidener.widen(ClassBenchData.rules(folder.get(), set), FACTOR, SEED);
        ClassBenchTrace trace = ClassBenchData.trace(folder.get(), set);
        Classifier classifier = Classifier.compile(rules);
        LinearClassifier reference = new LinearClassifier(rules);
        SplittableRandom random = new SplittableRandom(SEED);

        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < TRACE_SAMPLES + CORNER_SAMPLES; i++) {
            int src;
            int dst;
            int sp;
            int dp;
            int proto;
            if (i < TRACE_SAMPLES) {
                int t = random.nextInt(trace.size());
                src = trace.src(t);
                dst = trace.dst(t);
                sp = trace.srcPort(t);
                dp = trace.dstPort(t);
                proto = trace.protocol(t);
            } else {
                ClassifierRule r = rules.get(random.nextInt(rules.size()));
                src = (int) (random.nextBoolean() ? r.source().first().lo() : r.source().last().lo());
                dst = (int) (random.nextBoolean() ? r.destination().first().lo() : r.destination().last().lo());
                sp = random.nextBoolean() ? r.sourcePorts().lo() : r.sourcePorts().hi();
                dp = random.nextBoolean() ? r.destinationPorts().lo() : r.destinationPorts().hi();
                proto = random.nextBoolean() ? r.protocolLo() : r.protocolHi();
            }
            int got = classifier.lookupV4(src, dst, sp, dp, proto);
            int want = reference.lookupV4(src, dst, sp, dp, proto);
            if (got != want && mismatches.size() < 10) {
                mismatches.add("sample " + i + ": got " + got + ", want " + want);
            }
            if (want >= 0) {
                int wantAfter = reference.lookupV4After(want, src, dst, sp, dp, proto);
                int gotAfter = classifier.lookupV4After(want, src, dst, sp, dp, proto);
                if (gotAfter != wantAfter && mismatches.size() < 10) {
                    mismatches.add("sample " + i + " after " + want + ": got " + gotAfter + ", want " + wantAfter);
                }
            }
        }
        assertThat(mismatches).as("%s x%d: %s", set, FACTOR, classifier).isEmpty();
        assertThat(classifier.boxCount()).isEqualTo(rules.size());
    }
}
