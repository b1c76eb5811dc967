package dev.portcullis.policy;

import java.util.List;

/**
 * Which CPU each data plane event loop is bound to ({@code dataPlane.cpuAffinity} in {@code appliance.yaml}).
 *
 * <p>A loop bound to one CPU keeps its caches and is not moved between CPUs by the scheduler; on a dedicated
 * appliance that is what the data plane wants (nginx's {@code worker_cpu_affinity}, HAProxy's {@code cpu-map}).
 */
public sealed interface CpuAffinity {

    /** Loop i on the i-th CPU this process may use, when there are at least as many CPUs as loops. */
    CpuAffinity AUTO = new Auto();
    /** No binding: the scheduler places the loops. */
    CpuAffinity NONE = new None();

    /** The setting as written in {@code appliance.yaml}. */
    String describe();

    /** See {@link #AUTO}. */
    record Auto() implements CpuAffinity {
        @Override
        public String describe() {
            return "auto";
        }
    }

    /** See {@link #NONE}. */
    record None() implements CpuAffinity {
        @Override
        public String describe() {
            return "none";
        }
    }

    /**
     * Loop i on {@code cpus[i % cpus.size()]}: CPU numbers as the kernel counts them, distinct, at least one.
     */
    record Cpus(List<Integer> cpus) implements CpuAffinity {
        public Cpus {
            cpus = List.copyOf(cpus);
            if (cpus.isEmpty() || cpus.stream().distinct().count() != cpus.size()
                    || cpus.stream().anyMatch(c -> c < 0)) {
                throw new IllegalArgumentException("CPU numbers must be distinct, not negative, at least one: " + cpus);
            }
        }

        @Override
        public String describe() {
            return cpus.toString();
        }
    }
}
