package dev.portcullis.benchmarks;

import dev.portcullis.policy.classifier.ClassBenchRules;
import dev.portcullis.policy.classifier.ClassBenchTrace;
import dev.portcullis.policy.classifier.ClassBenchWidener;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Loads the benchmark rule sets. {@code NAME_10K} (and {@code _1K}) are the ClassBench files; {@code NAME_100K} is
 * {@code NAME_10K} widened ten times by {@link ClassBenchWidener} with a fixed seed (the same as the policy-engine
 * test that checks it against a linear scan), replayed with the 10K trace.
 */
final class ClassBenchSets {

    static final int WIDEN_FACTOR = 10;
    static final long WIDEN_SEED = 20261128L;

    private ClassBenchSets() {
    }

    /** The data folder: system property {@code classbench.dir}, else {@code shared/data/classbench} above cwd. */
    static Path folder() {
        String configured = System.getProperty("classbench.dir");
        if (configured != null) {
            Path p = Path.of(configured);
            if (!Files.isDirectory(p)) {
                throw new IllegalStateException("classbench.dir=" + configured + " is not a directory");
            }
            return p;
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/data/classbench");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/data/classbench above " + Path.of("").toAbsolutePath()
                + "; run from inside the work tree or pass -Dclassbench.dir=...");
    }

    static List<ClassifierRule> rules(String set) {
        if (set.endsWith("_100K")) {
            return ClassBenchWidener.widen(rules(baseOf(set)), WIDEN_FACTOR, WIDEN_SEED);
        }
        Path file = folder().resolve(set + ".rules");
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return ClassBenchRules.parse(file.toString(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClassBenchTrace trace(String set) {
        Path file = folder().resolve(baseOf(set) + ".trace.gz");
        try (Reader r = new InputStreamReader(new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.US_ASCII)) {
            return ClassBenchTrace.parse(file.toString(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String baseOf(String set) {
        return set.endsWith("_100K") ? set.substring(0, set.length() - "_100K".length()) + "_10K" : set;
    }
}
