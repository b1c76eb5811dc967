package dev.portcullis.policy.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every header of every ClassBench trace must match the rule the trace names. */
class ClassBenchTest {

    static final List<String> SETS = ClassBenchData.SETS;

    @ParameterizedTest
    @FieldSource("SETS")
    void lookupV4_classBenchTrace_agreesWithEveryMatch(String set) {
        Optional<Path> folder = ClassBenchData.folder();
        assumeTrue(folder.isPresent(), "shared/data/classbench not found above " + Path.of("").toAbsolutePath()
                + "; ClassBench tests skipped");
        List<ClassifierRule> rules = ClassBenchData.rules(folder.get(), set);
        ClassBenchTrace trace = ClassBenchData.trace(folder.get(), set);
        Classifier classifier = Classifier.compile(rules);

        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < trace.size(); i++) {
            int got = classifier.lookupV4(trace.src(i), trace.dst(i), trace.srcPort(i), trace.dstPort(i),
                    trace.protocol(i));
            int want = trace.match(i) - 1;
            if (got != want && mismatches.size() < 10) {
                mismatches.add("line " + (i + 1) + ": got " + got + ", want " + want);
            }
        }
        assertThat(mismatches).as("%s: %s", set, classifier).isEmpty();
        assertThat(classifier.boxCount()).isEqualTo(rules.size());
    }
}
