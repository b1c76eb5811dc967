package dev.portcullis.router;

/**
 * The up/down state of one endpoint from its check results: down after {@code fall} failures in a row while up,
 * up after {@code rise} successes in a row while down.
 *
 * <p>Threading: not thread-safe; confined to the event loop that runs the endpoint's checks.
 */
public final class HealthState {

    private final int rise;
    private final int fall;
    private boolean up;
    /** Results in a row that argue for a flip: successes while down, failures while up. */
    private int streak;

    /** Starts up. */
    public HealthState(int rise, int fall) {
        this(rise, fall, true);
    }

    public HealthState(int rise, int fall, boolean up) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise " + rise + " and fall " + fall + " must be at least 1");
        }
        this.rise = rise;
        this.fall = fall;
        this.up = up;
    }

    /** Records a successful check; returns whether the state flipped (to up). */
    public boolean success() {
        if (up) {
            streak = 0;
            return false;
        }
        if (++streak < rise) {
            return false;
        }
        up = true;
        streak = 0;
        return true;
    }

    /** Records a failed check; returns whether the state flipped (to down). */
    public boolean failure() {
        if (!up) {
            streak = 0;
            return false;
        }
        if (++streak < fall) {
            return false;
        }
        up = false;
        streak = 0;
        return true;
    }

    public boolean up() {
        return up;
    }

    @Override
    public String toString() {
        return (up ? "up" : "down") + " (" + streak + " of " + (up ? fall : rise) + " toward a flip)";
    }
}
