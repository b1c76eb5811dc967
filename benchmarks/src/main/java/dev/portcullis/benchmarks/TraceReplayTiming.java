package dev.portcullis.benchmarks;

import dev.portcullis.policy.classifier.ClassBenchTrace;
import dev.portcullis.policy.classifier.Classifier;
import java.util.List;

/**
 * A plain timing loop, complementary to JMH on a shared machine: replays the whole trace {@value #PASSES} times
 * and prints the best and the median pass, in lookups per second. The best pass shows what the code does when
 * the cores are quiet; JMH's average shows what it does under whatever else runs. Run: {@code java -cp
 * benchmarks/target/benchmarks.jar dev.portcullis.benchmarks.TraceReplayTiming [set...]}.
 */
public final class TraceReplayTiming {

    static final int PASSES = 40;

    private TraceReplayTiming() {
    }

    public static void main(String[] args) {
        List<String> sets = args.length > 0 ? List.of(args)
                : List.of("acl1_10K", "fw1_10K", "ipc1_10K", "acl1_100K", "fw1_100K", "ipc1_100K");
        for (String set : sets) {
            Classifier c = Classifier.compile(ClassBenchSets.rules(set));
            ClassBenchTrace t = ClassBenchSets.trace(set);
            int n = t.size();
            int[] s = new int[n];
            int[] d = new int[n];
            int[] sp = new int[n];
            int[] dp = new int[n];
            int[] pr = new int[n];
            for (int i = 0; i < n; i++) {
                s[i] = t.src(i);
                d[i] = t.dst(i);
                sp[i] = t.srcPort(i);
                dp[i] = t.dstPort(i);
                pr[i] = t.protocol(i);
            }
            double[] rates = new double[PASSES];
            long sink = 0;
            for (int pass = 0; pass < PASSES; pass++) {
                long t0 = System.nanoTime();
                sink += replay(c, s, d, sp, dp, pr);
                rates[pass] = n * 1e3 / (System.nanoTime() - t0);
            }
            java.util.Arrays.sort(rates);
            System.out.printf("%-10s best %6.2f M/s  median %6.2f M/s  (checksum %d)%n", set, rates[PASSES - 1],
                    rates[PASSES / 2], sink);
        }
    }

    private static long replay(Classifier c, int[] s, int[] d, int[] sp, int[] dp, int[] pr) {
        long sum = 0;
        for (int i = 0; i < s.length; i++) {
            sum += c.lookupV4(s[i], d[i], sp[i], dp[i], pr[i]);
        }
        return sum;
    }
}
