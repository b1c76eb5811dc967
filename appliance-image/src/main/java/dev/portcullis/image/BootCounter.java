package dev.portcullis.image;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a slot's boot loader entry file, with systemd-boot's boot counter in it (automatic boot assessment):
 * {@code portcullis-b+LEFT-DONE.conf}. Before it boots an entry with a counter, systemd-boot renames the file with
 * LEFT one less and DONE one more; an entry with LEFT 0 is sorted last, so the other slot boots. Marking good
 * removes the counter ({@code portcullis-b.conf}); marking bad sets LEFT to 0. Entries without a counter are
 * never counted.
 *
 * @param triesLeft empty when the entry has no counter (good)
 * @param triesDone 0 when the name has no DONE part
 */
public record BootCounter(Slot slot, Optional<Integer> triesLeft, int triesDone) {

    static final String PREFIX = "portcullis-";
    private static final Pattern NAME = Pattern.compile("portcullis-([ab])(?:\\+(\\d{1,4})(?:-(\\d{1,4}))?)?\\.conf");

    public BootCounter {
        if (triesLeft.isPresent() && triesLeft.get() < 0 || triesDone < 0) {
            throw new IllegalArgumentException("negative boot counter: " + triesLeft + ", " + triesDone);
        }
        if (triesLeft.isEmpty() && triesDone != 0) {
            throw new IllegalArgumentException("tries done " + triesDone + " without tries left");
        }
    }

    public static BootCounter good(Slot slot) {
        return new BootCounter(slot, Optional.empty(), 0);
    }

    public static BootCounter tries(Slot slot, int left, int done) {
        return new BootCounter(slot, Optional.of(left), done);
    }

    /** Parses an entry file name; empty for files that are not ours (other entries, temporary files). */
    public static Optional<BootCounter> parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        Slot slot = Slot.parse(m.group(1));
        if (m.group(2) == null) {
            return Optional.of(good(slot));
        }
        return Optional.of(tries(slot, Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    public String fileName() {
        return PREFIX + slot.id() + triesLeft.map(l -> "+" + l + "-" + triesDone).orElse("") + ".conf";
    }

    public boolean isGood() {
        return triesLeft.isEmpty();
    }

    /** No tries left: systemd-boot sorts it last and boots the other slot. */
    public boolean isBad() {
        return triesLeft.isPresent() && triesLeft.get() == 0;
    }

    /** What systemd-boot renames the entry to just before booting it; unchanged when it has no counter or is bad. */
    public BootCounter afterBootAttempt() {
        if (triesLeft.isEmpty() || triesLeft.get() == 0) {
            return this;
        }
        return tries(slot, triesLeft.get() - 1, triesDone + 1);
    }

    /** What {@code systemd-bless-boot good} renames it to. */
    public BootCounter blessed() {
        return good(slot);
    }

    /** What {@code systemd-bless-boot bad} renames it to. */
    public BootCounter condemned() {
        return tries(slot, 0, triesDone);
    }
}
