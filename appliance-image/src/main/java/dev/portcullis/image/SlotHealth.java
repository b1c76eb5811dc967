package dev.portcullis.image;

/** What the boot loader entry of a slot says about it. */
public enum SlotHealth {
    /** Marked good: booted and passed the health check (or installed as good with the disk image). */
    GOOD("good"),
    /** Installed, to be tried once at the next boot. */
    UNTRIED("untried"),
    /** Running now on its one try; marked good when the health check passes, else the other slot boots next. */
    ON_TRIAL("on trial"),
    /** Tried and not marked good: the boot loader passes it over. */
    BAD("bad"),
    /** Nothing bootable: never installed, or an installation did not finish. */
    EMPTY("empty");

    private final String label;

    SlotHealth(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static SlotHealth of(java.util.Optional<BootCounter> counter, boolean running) {
        if (counter.isEmpty()) {
            return EMPTY;
        }
        BootCounter c = counter.get();
        if (c.isGood()) {
            return GOOD;
        }
        if (running) {
            return ON_TRIAL;
        }
        return c.isBad() ? BAD : UNTRIED;
    }
}
