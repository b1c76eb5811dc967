package dev.portcullis.benchmarks;

import dev.portcullis.policy.classifier.Classifier;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Time to compile a rule set; one compile per invocation. */
@State(Scope.Thread)
@BenchmarkMode({Mode.SingleShotTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ClassifierBuildBenchmark {

    @Param({"acl1_10K", "fw1_10K", "ipc1_10K", "acl1_100K", "fw1_100K", "ipc1_100K"})
    public String set;

    private List<ClassifierRule> rules;

    @Setup
    public void setUp() {
        rules = ClassBenchSets.rules(set);
    }

    @Benchmark
    public Classifier compile() {
        return Classifier.compile(rules);
    }
}
