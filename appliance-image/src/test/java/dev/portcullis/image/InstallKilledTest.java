package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An installation killed with SIGKILL in the middle of writing the root file system (a power cut, as far as the
 * files can tell): the running slot and its entry are untouched and the half-written slot does not boot.
 */
class InstallKilledTest {

    @TempDir
    Path tmp;

    /** The child: installs into the fixture, announces the first written chunk, then waits to be killed. */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path esp = root.resolve("esp");
        SystemLayout layout = new SystemLayout(new EspLayout(esp), Map.of(Slot.A, root.resolve("root-a.img"),
                Slot.B, root.resolve("root-b.img")), Optional.of(Slot.A), "", BundleSpec.TARGET_X86_64_EFI);
        SoftwareManager m = new SoftwareManager(layout, VerifyingKey.read(root.resolve("key.pub")), () -> { });
        m.add(Path.of(args[1]), false, new Progress() {
            private boolean writing;

            @Override
            public void begin(String step, long total) {
                writing = step.startsWith("write root file system");
            }

            @Override
            public void advance(long bytes) {
                if (writing) {
                    System.out.println("WRITING");
                    System.out.flush();
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void end() {
            }
        });
        System.out.println("FINISHED");
    }

    @Test
    void add_killedWhileWritingTheSlot_leavesTheRunningSlotBootingAsBefore() throws Exception {
        ApplianceFixture box = new ApplianceFixture(tmp, "0.1.0");
        box.key.publicKey().write(tmp.resolve("key.pub"));
        Path bundle = box.bundle("u.bundle", "0.2.0", 1);
        byte[] aBefore = Files.readAllBytes(box.devices.get(Slot.A));

        Process child = new ProcessBuilder(javaCommand(tmp.toString(), bundle.toString()))
                .redirectError(tmp.resolve("child.err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("child stderr: %s", readOrEmpty(tmp.resolve("child.err")))
                    .isEqualTo("WRITING");
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL

        assertThat(Files.readAllBytes(box.devices.get(Slot.A))).isEqualTo(aBefore);
        try (var files = Files.list(box.esp.entries())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("portcullis-a.conf");
        }
        SoftwareManager after = box.boot();
        assertThat(after.slots()).extracting(SlotStatus::running).containsExactly(true, false);
        assertThat(after.slots()).extracting(SlotStatus::health).containsExactly(SlotHealth.GOOD, SlotHealth.EMPTY);
        // The lock died with the process: the next installation goes through.
        assertThat(after.add(bundle, false, Progress.none()).slot()).isEqualTo(Slot.B);
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> javaCommand(String... args) throws Exception {
        Set<String> path = new LinkedHashSet<>();
        path.add(Path.of(InstallKilledTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString());
        for (String p : List.of("jdk.module.path", "java.class.path")) {
            String v = System.getProperty(p);
            if (v != null && !v.isBlank()) {
                path.addAll(List.of(v.split(File.pathSeparator)));
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, path), InstallKilledTest.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
