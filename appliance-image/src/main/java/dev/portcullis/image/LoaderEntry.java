package dev.portcullis.image;

import java.util.regex.Pattern;

/**
 * The contents of a slot's systemd-boot entry (Boot Loader Specification type #1). {@code sort-key} is the same
 * for both slots and {@code version} is the install generation, so systemd-boot, which sorts by sort-key then by
 * version descending, puts the most recently installed slot first; entries with no tries left go last.
 *
 * <pre>
 * title Portcullis 0.2.0 (slot b)
 * sort-key portcullis
 * version 3
 * linux /portcullis/b/vmlinuz
 * initrd /portcullis/b/initrd.img
 * options root=PARTLABEL=portcullis-root-b rw portcullis.slot=b console=ttyS0,115200
 * </pre>
 *
 * @param generation how many installs this ESP has seen when this slot was written; higher boots first
 * @param extraOptions kernel options after the ones naming the slot (may be empty)
 */
public record LoaderEntry(Slot slot, String softwareVersion, long generation, String extraOptions) {

    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^version (\\d{1,18})$");

    public LoaderEntry {
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1: " + generation);
        }
        if (extraOptions.contains("\n") || softwareVersion.contains("\n")) {
            throw new IllegalArgumentException("entry values must be single lines");
        }
    }

    public String text() {
        String options = "root=PARTLABEL=" + slot.partitionLabel() + " rw portcullis.slot=" + slot.id()
                + (extraOptions.isBlank() ? "" : " " + extraOptions.strip());
        return "title Portcullis " + softwareVersion + " (slot " + slot.id() + ")\n"
                + "sort-key portcullis\n"
                + "version " + generation + "\n"
                + "linux /" + EspLayout.DIR + "/" + slot.id() + "/" + EspLayout.KERNEL + "\n"
                + "initrd /" + EspLayout.DIR + "/" + slot.id() + "/" + EspLayout.INITRD + "\n"
                + "options " + options + "\n";
    }

    /** The generation in an entry file's text, or 0 when it has none (not written by us). */
    static long generationOf(String text) {
        var m = VERSION_LINE.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
