package dev.portcullis.benchmarks;

import dev.portcullis.policy.classifier.Classifier;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.util.List;

/**
 * Prints boxes, {@link Classifier#footprintBytes()} and a cold compile time for each benchmark set, or for the
 * sets named as arguments. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.portcullis.benchmarks.ClassifierFootprint}.
 */
public final class ClassifierFootprint {

    private ClassifierFootprint() {
    }

    public static void main(String[] args) {
        List<String> sets = args.length > 0 ? List.of(args)
                : List.of("acl1_10K", "fw1_10K", "ipc1_10K", "acl1_100K", "fw1_100K", "ipc1_100K");
        System.out.printf("%-10s %8s %14s %10s %14s%n", "set", "boxes", "footprint B", "B/box", "1st compile ms");
        for (String set : sets) {
            List<ClassifierRule> rules = ClassBenchSets.rules(set);
            long t0 = System.nanoTime();
            Classifier c = Classifier.compile(rules);
            long t1 = System.nanoTime();
            System.out.printf("%-10s %8d %,14d %10.1f %14.1f%n", set, c.boxCount(), c.footprintBytes(),
                    (double) c.footprintBytes() / c.boxCount(), (t1 - t0) / 1e6);
        }
    }
}
