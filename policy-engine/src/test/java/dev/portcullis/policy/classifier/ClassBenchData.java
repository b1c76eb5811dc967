package dev.portcullis.policy.classifier;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** Finds and loads the shared ClassBench data for tests. */
final class ClassBenchData {

    static final List<String> SETS = List.of("acl1_1K", "fw1_1K", "ipc1_1K", "acl1_10K", "fw1_10K", "ipc1_10K");

    private ClassBenchData() {
    }

    /** The folder {@code shared/data/classbench}, found by walking up from the working directory. */
    static Optional<Path> folder() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/data/classbench");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static List<ClassifierRule> rules(Path folder, String set) {
        Path file = folder.resolve(set + ".rules");
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return ClassBenchRules.parse(file.toString(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClassBenchTrace trace(Path folder, String set) {
        Path file = folder.resolve(set + ".trace.gz");
        try (Reader r = new InputStreamReader(new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.US_ASCII)) {
            return ClassBenchTrace.parse(file.toString(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
