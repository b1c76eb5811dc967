package dev.portcullis.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python tests of {@code peers/report.py} (its noise test and verdicts: {@code peers/test_report.py}) with
 * the machine's {@code python3}, which {@code .ci/run} installs; skipped, saying so, where there is none.
 */
class PeerReportScriptTest {

    private static final Path PEERS = Path.of("peers").toAbsolutePath();

    @Test
    void reportScript_itsUnitTests_pass() throws Exception {
        assumeTrue(onPath("python3"), "python3 is not installed here (.ci/run installs it): report.py not tested");
        // -B: no __pycache__ left in the sources
        Process p = new ProcessBuilder("python3", "-B", "-m", "unittest", "-v", "test_report")
                .directory(PEERS.toFile())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python3 -m unittest finished in time").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("OK");
    }

    private static boolean onPath(String command) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
