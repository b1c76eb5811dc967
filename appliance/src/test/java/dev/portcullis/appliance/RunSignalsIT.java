package dev.portcullis.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis run} as a process (the packaged command, so after {@code package}): SIGHUP reloads the policy,
 * and a process started with SIGHUP ignored (under {@code nohup}) says that it will not, instead of staying silent.
 */
class RunSignalsIT {

    @TempDir
    Path dir;

    @Test
    void run_sighup_reloadsThePolicy() throws Exception {
        writeConfig();
        Process p = start(List.of("env", "--default-signal=HUP"));
        try {
            String banner = awaitOutput(p, s -> s.contains("portcullis: running on"));
            assertThat(banner).contains("SIGHUP reloads the policy, SIGTERM stops");
            Files.writeString(dir.resolve("policy.yaml"),
                    Files.readString(dir.resolve("policy.yaml")).replace("name: web", "name: web2"));
            Runtime.getRuntime().exec(new String[] {"kill", "-HUP", Long.toString(p.pid())}).waitFor();
            assertThat(awaitOutput(p, s -> s.contains("reload: "))).contains("committed as revision 2");
        } finally {
            stop(p);
        }
    }

    @Test
    void run_startedUnderNohup_warnsThatSighupWillNotReload() throws Exception {
        writeConfig();
        Process p = start(List.of("nohup"));
        try {
            String out = awaitOutput(p, s -> s.contains("portcullis: running on"));
            assertThat(out).contains("SIGHUP is ignored by this process (started under nohup?), so it will not "
                    + "reload the policy");
            assertThat(out).doesNotContain("SIGHUP reloads the policy");
        } finally {
            stop(p);
        }
    }

    private void writeConfig() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("appliance.yaml"), """
                node: signals
                policy: policy.yaml
                management: {address: 127.0.0.1}
                dataPlane: {ioThreads: 1, drainTimeout: 1s}
                routes: {manage: false}
                """);
        Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                cluster:
                  name: t
                  podCIDR: [127.1.0.0/16]
                  serviceCIDR: [127.96.0.0/16]
                  nodes:
                    - {name: n1, address: 127.0.0.1, podCIDR: 127.1.1.0/24}
                services:
                  web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:9]}
                rules:
                  - {name: web, destination: [service:web], action: accept}
                """.formatted(port));
    }

    /** Starts the packaged command behind {@code prefix} (nohup, env ...), output to a file in {@link #dir}. */
    private Process start(List<String> prefix) throws IOException {
        String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
        Path jar = Path.of(basedir, "target", "appliance.jar");
        Path lib = Path.of(basedir, "target", "lib");
        assertThat(jar).as("the packaged command (run in `verify`, after `package`)").exists();
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=io.netty.common,dev.portcullis.router",
                "-p", jar + ":" + lib, "--add-modules", "ALL-MODULE-PATH",
                "-m", "dev.portcullis.appliance/dev.portcullis.appliance.Main", "run", "--config", dir.toString()));
        return new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile()).start();
    }

    private String awaitOutput(Process p, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String out = Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
            if (done.test(out)) {
                return out;
            }
            if (!p.isAlive()) {
                throw new AssertionError("portcullis run ended (" + p.exitValue() + "); its output:\n" + out);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out; output:\n" + Files.readString(dir.resolve("out.log")));
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: drains, then stops
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }
}
