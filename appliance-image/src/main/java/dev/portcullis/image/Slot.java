package dev.portcullis.image;

import java.util.Locale;

/** One of the two root filesystem slots. The running system boots from one; updates go to the other. */
public enum Slot {
    A, B;

    public Slot other() {
        return this == A ? B : A;
    }

    /** {@code a} or {@code b}: how the slot appears in file names, partition labels and the kernel command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The GPT partition name (and ext4 label) of the slot's root partition. */
    public String partitionLabel() {
        return "portcullis-root-" + id();
    }

    /** Parses {@code a}/{@code b} (either case); throws {@link IllegalArgumentException} naming the text otherwise. */
    public static Slot parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "a" -> A;
            case "b" -> B;
            default -> throw new IllegalArgumentException("slot '" + text + "' is neither a nor b");
        };
    }
}
