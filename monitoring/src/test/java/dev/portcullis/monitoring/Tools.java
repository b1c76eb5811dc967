package dev.portcullis.monitoring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools tests check against (promtool, net-snmp, smilint); a test skips when one is missing. */
final class Tools {

    private Tools() {
    }

    /** The output and exit code of a finished command. */
    record Run(int exit, String out) {
    }

    /** Skips the calling test, saying which Debian package to install, when {@code tool} is not on the PATH. */
    static void require(String tool, String debianPackage) {
        assumeTrue(find(tool) != null, tool + " is not installed (Debian package " + debianPackage
                + ", installed by .ci/run): skipping");
    }

    static Path find(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs {@code command} with {@code input} on its standard input; merges stderr into the output. */
    static Run run(List<String> command, String input) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(command);
        Path exe = find(cmd.getFirst());
        if (exe != null) {
            cmd.set(0, exe.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Run run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), "");
    }

    /** The repository's root (for configs/). */
    static Path repo() {
        return Path.of(System.getProperty("portcullis.repo", "..")).toAbsolutePath().normalize();
    }
}
