package dev.portcullis.appliance;

import dev.portcullis.policy.classifier.ClassBenchRules;
import dev.portcullis.policy.classifier.ClassBenchTrace;
import dev.portcullis.policy.classifier.Classifier;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis bench classify}: compiles a ClassBench rule set, checks every trace line's answer, then replays
 * the trace on one thread for a fixed time and prints lookups per second, ns per lookup, compile time and memory.
 *
 * <p>A quick check for an operator's own machine; the figures in docs/performance.md come from the JMH benchmarks,
 * which control warm-up and forking properly.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Benchmark the classifier on a ClassBench rule set and trace, checking every answer.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every answer agreed with the trace", "1:some answer disagreed", "2:could not read"})
final class BenchClassifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rules", required = true, paramLabel = "RULES", description = "ClassBench rule file.")
    Path rules;

    @Option(names = "--trace", required = true, paramLabel = "TRACE", description = "ClassBench trace (.gz allowed).")
    Path trace;

    @Option(names = "--seconds", defaultValue = "3", paramLabel = "S",
            description = "How long to measure lookups, after as long again of warm-up (default: ${DEFAULT-VALUE}).")
    double seconds;

    /** Keeps lookup results observable so the JIT cannot drop the loop. */
    private long sink;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<ClassifierRule> boxes;
        ClassBenchTrace headers;
        try (BufferedReader r = Inputs.open(rules); BufferedReader t = Inputs.open(trace)) {
            boxes = ClassBenchRules.parse(rules.toString(), r);
            headers = ClassBenchTrace.parse(trace.toString(), t);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        // Compile a few times; the first runs cold (interpreted), the best shows steady state.
        long bestCompile = Long.MAX_VALUE;
        Classifier c = null;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            c = Classifier.compile(boxes);
            bestCompile = Math.min(bestCompile, System.nanoTime() - t0);
        }
        int wrong = 0;
        for (int i = 0; i < headers.size(); i++) {
            int got = c.lookupV4(headers.src(i), headers.dst(i), headers.srcPort(i), headers.dstPort(i),
                    headers.protocol(i)) + 1;
            if (got != headers.match(i)) {
                if (wrong < 10) {
                    spec.commandLine().getErr().println(trace + ":" + (i + 1) + ": expected rule " + headers.match(i)
                            + ", classifier said " + got);
                }
                wrong++;
            }
        }
        replay(c, headers, (long) (seconds * 1e9)); // warm-up
        long t0 = System.nanoTime();
        long lookups = replay(c, headers, (long) (seconds * 1e9));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "rules:        %d (%s)%n", boxes.size(), rules);
        out.printf(Locale.ROOT, "trace:        %d headers, %d agree, %d disagree%n", headers.size(),
                headers.size() - wrong, wrong);
        out.printf(Locale.ROOT, "compile:      %.1f ms (best of 5)%n", bestCompile / 1e6);
        out.printf(Locale.ROOT, "lookups:      %.2f million/s on one thread (%.1f ns each)%n",
                lookups / elapsed / 1e6, elapsed * 1e9 / lookups);
        out.printf(Locale.ROOT, "memory:       %.2f MiB (classifier arrays)%n", c.footprintBytes() / 1048576.0);
        out.printf(Locale.ROOT, "checksum:     %d%n", sink);
        return wrong == 0 ? 0 : 1;
    }

    private long replay(Classifier c, ClassBenchTrace h, long nanos) {
        long deadline = System.nanoTime() + nanos;
        long count = 0;
        long acc = 0;
        int n = h.size();
        do {
            for (int i = 0; i < n; i++) {
                acc += c.lookupV4(h.src(i), h.dst(i), h.srcPort(i), h.dstPort(i), h.protocol(i));
            }
            count += n;
        } while (System.nanoTime() < deadline);
        sink += acc;
        return count;
    }
}
