package dev.portcullis.benchmarks;

import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.policy.classifier.ClassBenchPolicy;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time to load a whole policy as {@code portcullis policy check} does: read the YAML, check every rule, compile
 * the classifier and run the shadowed-rule analysis. The policies are the ClassBench sets written as policy files
 * in flow style (one rule a line), the form large generated policies take; the 100K ones are about 13 MB.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PolicyLoad -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.SingleShotTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PolicyLoadBenchmark {

    @Param({"acl1_10K", "fw1_10K", "ipc1_10K", "acl1_100K", "fw1_100K", "ipc1_100K"})
    public String set;

    private String text;

    @Setup
    public void setUp() throws IOException {
        StringBuilder sb = new StringBuilder(16 << 20);
        ClassBenchPolicy.write(set, "r", ClassBenchSets.rules(set), sb);
        text = sb.toString();
        PolicyLoader.PolicyCheck check = PolicyLoader.check(set + ".yaml", text);
        if (!check.valid()) {
            throw new IllegalStateException(set + ": the generated policy is invalid: " + check.diagnostics());
        }
        System.out.printf("%n%s: %d rules, %.1f MB of YAML, %d warnings%n", set,
                check.policy().orElseThrow().rules().size(), text.length() / 1e6, check.warnings());
    }

    @Benchmark
    public PolicyLoader.PolicyCheck load() {
        return PolicyLoader.check(set + ".yaml", text);
    }
}
