package dev.portcullis.image;

import java.util.Optional;

/** Reads what the boot loader passed to the kernel ({@code /proc/cmdline}). */
final class KernelCommandLine {

    private KernelCommandLine() {
    }

    /** The value of the last {@code key=value} option named {@code key}; empty when absent. */
    static Optional<String> value(String cmdline, String key) {
        Optional<String> found = Optional.empty();
        for (String option : cmdline.strip().split("\\s+")) {
            if (option.startsWith(key + "=")) {
                found = Optional.of(option.substring(key.length() + 1));
            }
        }
        return found;
    }

    /** The slot named by {@code portcullis.slot=}; empty when absent or not a slot. */
    static Optional<Slot> slot(String cmdline) {
        return value(cmdline, "portcullis.slot").flatMap(v -> {
            try {
                return Optional.of(Slot.parse(v));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }
}
