package dev.portcullis.benchmarks;

import dev.portcullis.policy.classifier.ClassBenchTrace;
import dev.portcullis.policy.classifier.Classifier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Lookups per second, single thread, replaying a ClassBench trace in its order (skewed, as recorded). One
 * invocation classifies {@value #BATCH} consecutive headers, wrapping around the trace.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ClassifierLookupBenchmark {

    static final int BATCH = 1024;

    @Param({"acl1_10K", "fw1_10K", "ipc1_10K", "acl1_100K", "fw1_100K", "ipc1_100K"})
    public String set;

    private Classifier classifier;
    private int[] src;
    private int[] dst;
    private int[] srcPort;
    private int[] dstPort;
    private int[] protocol;
    /** The classifier's own first match per header, the starting point of {@link #lookupAfter}. */
    private int[] first;
    private int cursor;

    @Setup
    public void setUp() {
        classifier = Classifier.compile(ClassBenchSets.rules(set));
        ClassBenchTrace trace = ClassBenchSets.trace(set);
        int n = trace.size();
        src = new int[n];
        dst = new int[n];
        srcPort = new int[n];
        dstPort = new int[n];
        protocol = new int[n];
        first = new int[n];
        for (int i = 0; i < n; i++) {
            src[i] = trace.src(i);
            dst[i] = trace.dst(i);
            srcPort[i] = trace.srcPort(i);
            dstPort[i] = trace.dstPort(i);
            protocol[i] = trace.protocol(i);
            first[i] = classifier.lookupV4(src[i], dst[i], srcPort[i], dstPort[i], protocol[i]);
        }
        System.out.printf("%n[setup] %s: %d boxes, footprint %,d bytes, %d trace headers%n", set,
                classifier.boxCount(), classifier.footprintBytes(), n);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int lookup() {
        int c = cursor;
        int n = src.length;
        int acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += classifier.lookupV4(src[c], dst[c], srcPort[c], dstPort[c], protocol[c]);
            if (++c == n) {
                c = 0;
            }
        }
        cursor = c;
        return acc;
    }

    /** The next-best match after the first one, as shadowed-rule detection asks for it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int lookupAfter() {
        int c = cursor;
        int n = src.length;
        int acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += classifier.lookupV4After(first[c], src[c], dst[c], srcPort[c], dstPort[c], protocol[c]);
            if (++c == n) {
                c = 0;
            }
        }
        cursor = c;
        return acc;
    }
}
