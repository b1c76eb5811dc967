package dev.portcullis.router;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.portcullis.policy.CpuAffinity;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Binds event loop threads to CPUs with Linux's {@code sched_setaffinity}, called through the JDK's foreign function
 * interface (no native library of ours).
 *
 * <p>Why: a loop that stays on one CPU keeps its caches warm and is not migrated by the scheduler; measured on the
 * kept-alive benchmark (docs/performance.md) bound loops moved 2-8% more requests through the same two cores.
 *
 * <p>{@link #plan(CpuAffinity, int, int[])} decides, from the setting and the CPUs this process may use, which CPU
 * each loop goes to; it is pure and tested on its own. {@link #plan(CpuAffinity, int)} asks the kernel for those
 * CPUs first. {@link #bindCurrentThread} does the call for the thread that makes it (pid 0 means the
 * calling thread).
 *
 * <p>A thread started by a bound thread inherits its CPU mask (Linux copies it at clone): work that starts threads
 * (executors that grow lazily) must not do so from a loop, or those threads end up on the loop's CPU too. The data
 * plane starts its own threads (the sweeper) before binding.
 *
 * <p>Threading: stateless; the method handles are immutable and may be used from any thread.
 */
final class LoopAffinity {

    /** Bytes of the CPU mask passed to the kernel: 1024 CPUs, glibc's CPU_SETSIZE. */
    private static final int MASK_BYTES = 128;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code int sched_setaffinity(pid_t, size_t, const cpu_set_t *)}, or empty where there is none. */
    private static final Optional<MethodHandle> SET = downcall("sched_setaffinity");
    /** {@code int sched_getaffinity(pid_t, size_t, cpu_set_t *)}, or empty where there is none. */
    private static final Optional<MethodHandle> GET = downcall("sched_getaffinity");

    private LoopAffinity() {
    }

    /** Which CPU each loop goes to, or why none is bound. */
    sealed interface Plan {
        /** Loop i is bound to {@code cpus[i]}. */
        record Bind(int[] cpus) implements Plan {
        }

        /** No loop is bound, for {@code reason}. */
        record Unbound(String reason) implements Plan {
        }
    }

    /**
     * What to do for {@code loops} event loops under {@code setting} on this machine: {@link #plan(CpuAffinity, int,
     * int[])} with the CPUs the kernel lets this process use (not asked for {@code none}).
     *
     * @throws IllegalArgumentException as {@link #plan(CpuAffinity, int, int[])}
     * @throws IllegalStateException when binding is not available here or the kernel's answer cannot be had
     */
    static Plan plan(CpuAffinity setting, int loops) {
        if (setting instanceof CpuAffinity.None) {
            return plan(setting, loops, new int[0]);
        }
        if (!available()) {
            throw new IllegalStateException("sched_setaffinity is not available here");
        }
        return plan(setting, loops, allowedCpus());
    }

    /**
     * What to do for {@code loops} event loops under {@code setting}, when this process may run on {@code allowed}
     * (ascending CPU numbers).
     *
     * @throws IllegalArgumentException when the setting names a CPU this process may not use: an explicit list
     *     that cannot be honoured is a configuration error, not something to ignore
     */
    static Plan plan(CpuAffinity setting, int loops, int[] allowed) {
        return switch (setting) {
            case CpuAffinity.None n -> new Plan.Unbound("cpuAffinity is none");
            case CpuAffinity.Auto a -> {
                if (allowed.length < loops) {
                    yield new Plan.Unbound(loops + " event loops but " + allowed.length
                            + " CPUs to run on: left to the scheduler");
                }
                yield new Plan.Bind(Arrays.copyOf(allowed, loops));
            }
            case CpuAffinity.Cpus c -> {
                List<Integer> missing = new ArrayList<>();
                for (int cpu : c.cpus()) {
                    if (Arrays.binarySearch(allowed, cpu) < 0) {
                        missing.add(cpu);
                    }
                }
                if (!missing.isEmpty()) {
                    throw new IllegalArgumentException("cpuAffinity names " + join(missing)
                            + " but this process may only run on CPUs " + Arrays.toString(allowed));
                }
                int[] cpus = new int[loops];
                for (int i = 0; i < loops; i++) {
                    cpus[i] = c.cpus().get(i % c.cpus().size());
                }
                yield new Plan.Bind(cpus);
            }
        };
    }

    /** Whether this JVM can bind threads (Linux with the foreign function interface reachable). */
    static boolean available() {
        return SET.isPresent() && GET.isPresent();
    }

    /**
     * The CPUs this process may run on, ascending ({@code sched_getaffinity} of the calling thread).
     *
     * @throws IllegalStateException when the call is not available or fails
     */
    static int[] allowedCpus() {
        MethodHandle get = GET.orElseThrow(() -> new IllegalStateException("sched_getaffinity is not available"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES);
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) get.invokeExact(state, 0, (long) MASK_BYTES, mask);
            if (rc != 0) {
                throw new IllegalStateException("sched_getaffinity failed: errno " + (int) ERRNO.get(state, 0L));
            }
            int[] cpus = new int[MASK_BYTES * 8];
            int n = 0;
            for (int cpu = 0; cpu < MASK_BYTES * 8; cpu++) {
                if ((mask.get(JAVA_BYTE, cpu >>> 3) & (1 << (cpu & 7))) != 0) {
                    cpus[n++] = cpu;
                }
            }
            return Arrays.copyOf(cpus, n);
        } catch (Throwable t) {
            throw t instanceof IllegalStateException e ? e : new IllegalStateException("sched_getaffinity: " + t, t);
        }
    }

    /**
     * Binds the calling thread to {@code cpu}.
     *
     * @throws IllegalStateException when the call is not available or the kernel refuses (with its errno)
     */
    static void bindCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= MASK_BYTES * 8) {
            throw new IllegalArgumentException("CPU " + cpu + " is out of range 0-" + (MASK_BYTES * 8 - 1));
        }
        MethodHandle set = SET.orElseThrow(() -> new IllegalStateException("sched_setaffinity is not available"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES);
            mask.set(JAVA_BYTE, cpu >>> 3, (byte) (1 << (cpu & 7)));
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) set.invokeExact(state, 0, (long) MASK_BYTES, mask);
            if (rc != 0) {
                throw new IllegalStateException("sched_setaffinity to CPU " + cpu + " failed: errno "
                        + (int) ERRNO.get(state, 0L));
            }
        } catch (Throwable t) {
            throw t instanceof IllegalStateException e ? e : new IllegalStateException("sched_setaffinity: " + t, t);
        }
    }

    private static Optional<MethodHandle> downcall(String name) {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find(name).map(address -> linker.downcallHandle(address,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                    Linker.Option.captureCallState("errno")));
        } catch (RuntimeException | LinkageError e) { // native access refused, or no such platform support
            return Optional.empty();
        }
    }

    private static String join(List<Integer> cpus) {
        return cpus.size() == 1 ? "CPU " + cpus.getFirst() : "CPUs " + cpus;
    }
}
