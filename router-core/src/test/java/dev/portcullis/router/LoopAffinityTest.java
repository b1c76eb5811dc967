package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.policy.CpuAffinity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LoopAffinityTest {

    @Test
    void plan_autoWithEnoughCpus_bindsEachLoopToItsOwnAllowedCpu() {
        assertThat(LoopAffinity.plan(CpuAffinity.AUTO, 2, new int[] {3, 5, 7}))
                .isInstanceOfSatisfying(LoopAffinity.Plan.Bind.class, b -> assertThat(b.cpus()).containsExactly(3, 5));
    }

    @Test
    void plan_autoWithMoreLoopsThanCpus_leavesThemToTheScheduler() {
        assertThat(LoopAffinity.plan(CpuAffinity.AUTO, 4, new int[] {0, 1}))
                .isInstanceOfSatisfying(LoopAffinity.Plan.Unbound.class,
                        u -> assertThat(u.reason()).isEqualTo("4 event loops but 2 CPUs to run on: left to the scheduler"));
    }

    @Test
    void plan_none_bindsNothing() {
        assertThat(LoopAffinity.plan(CpuAffinity.NONE, 2, new int[] {0, 1}))
                .isInstanceOf(LoopAffinity.Plan.Unbound.class);
    }

    @Test
    void plan_explicitList_wrapsAroundWhenThereAreMoreLoops() {
        assertThat(LoopAffinity.plan(new CpuAffinity.Cpus(List.of(1, 0)), 5, new int[] {0, 1}))
                .isInstanceOfSatisfying(LoopAffinity.Plan.Bind.class,
                        b -> assertThat(b.cpus()).containsExactly(1, 0, 1, 0, 1));
    }

    @Test
    void plan_explicitCpuNotAllowed_isRefusedNamingIt() {
        assertThatThrownBy(() -> LoopAffinity.plan(new CpuAffinity.Cpus(List.of(0, 9, 12)), 2, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpuAffinity names CPUs [9, 12] but this process may only run on CPUs [0, 1]");
    }

    @Test
    void allowedCpus_onLinux_agreesWithTheKernelsCpusAllowedList() throws IOException {
        assumeTrue(LoopAffinity.available(), "sched_getaffinity is not reachable here (not Linux?)");
        assertThat(LoopAffinity.allowedCpus()).containsExactly(cpusAllowed(Path.of("/proc/thread-self/status")));
    }

    @Test
    void bindCurrentThread_onLinux_theKernelReportsTheThreadOnThatCpuOnly() throws Exception {
        assumeTrue(LoopAffinity.available(), "sched_setaffinity is not reachable here (not Linux?)");
        int[] allowed = LoopAffinity.allowedCpus();
        int cpu = allowed[allowed.length - 1];
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                LoopAffinity.bindCurrentThread(cpu);
                seen.set(cpusAllowed(Path.of("/proc/thread-self/status")));
            } catch (IOException | RuntimeException e) {
                seen.set(e);
            }
        });
        t.join();
        assertThat(seen.get()).isEqualTo(new int[] {cpu});
        // the caller's own thread is not touched
        assertThat(cpusAllowed(Path.of("/proc/thread-self/status"))).containsExactly(allowed);
    }

    @Test
    void bindCurrentThread_cpuOutOfRange_isRefused() {
        assertThatThrownBy(() -> LoopAffinity.bindCurrentThread(1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CPU 1024 is out of range 0-1023");
    }

    @Test
    void dataPlaneStart_explicitCpu_runsEveryLoopOnThatCpu() throws Exception {
        assumeTrue(LoopAffinity.available(), "sched_setaffinity is not reachable here (not Linux?)");
        int[] allowed = LoopAffinity.allowedCpus();
        int cpu = allowed[allowed.length - 1];
        DataPlaneSettings settings = new DataPlaneSettings(2, 0, 16, false, 100, java.time.Duration.ofSeconds(1),
                new CpuAffinity.Cpus(List.of(cpu)));
        try (DataPlane plane = DataPlane.start(NettyTransport.best(), settings, DataPlaneTest.policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:9]}".formatted(DataPlaneTest.freePort()),
                "- {name: web, destination: [service:web], action: accept}"))) {
            for (io.netty.util.concurrent.EventExecutor loop : plane.group()) {
                assertThat(loop.submit(() -> cpusAllowed(Path.of("/proc/thread-self/status"))).get())
                        .containsExactly(cpu);
            }
        }
    }

    @Test
    void dataPlaneStart_cpuNotAllowed_failsSayingWhichAndWhy() throws Exception {
        assumeTrue(LoopAffinity.available(), "sched_setaffinity is not reachable here (not Linux?)");
        int[] allowed = LoopAffinity.allowedCpus();
        DataPlaneSettings settings = new DataPlaneSettings(1, 0, 16, false, 100, java.time.Duration.ofSeconds(1),
                new CpuAffinity.Cpus(List.of(1023)));
        assertThatThrownBy(() -> DataPlane.start(NettyTransport.best(), settings, DataPlaneTest.policy(
                "web: {listen: [127.0.0.1:%d], endpoints: [127.1.1.10:9]}".formatted(DataPlaneTest.freePort()),
                "- {name: web, destination: [service:web], action: accept}")))
                .isInstanceOf(DataPlaneException.class)
                .hasMessage("dataPlane.cpuAffinity [1023]: cpuAffinity names CPU 1023 but this process may only run "
                        + "on CPUs " + java.util.Arrays.toString(allowed));
    }

    /** The CPUs in a {@code /proc/.../status} file's {@code Cpus_allowed_list} ("0-3,8"), ascending. */
    static int[] cpusAllowed(Path status) throws IOException {
        String list = Files.readAllLines(status).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .findFirst().orElseThrow().substring("Cpus_allowed_list:".length()).strip();
        return java.util.Arrays.stream(list.split(","))
                .flatMapToInt(r -> {
                    String[] ends = r.split("-");
                    int lo = Integer.parseInt(ends[0]);
                    int hi = ends.length == 2 ? Integer.parseInt(ends[1]) : lo;
                    return java.util.stream.IntStream.rangeClosed(lo, hi);
                })
                .toArray();
    }
}
