package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HealthStateTest {

    /**
     * The reference: the state after a history of results, computed from the whole history. Up at first; it
     * flips down at the result that completes a run of {@code fall} failures counted since it was last up-flipped
     * or since the last success, and up likewise with {@code rise} successes.
     */
    private static boolean[] referenceStates(int history, int length, int rise, int fall, boolean start) {
        boolean[] states = new boolean[length + 1];
        states[0] = start;
        boolean up = start;
        int runStart = 0; // index where the current run toward a flip began
        for (int i = 0; i < length; i++) {
            boolean ok = ((history >>> i) & 1) != 0;
            if (ok == up) {
                runStart = i + 1; // a result agreeing with the state breaks any run
            } else if (i + 1 - runStart >= (up ? fall : rise)) {
                up = !up;
                runStart = i + 1;
            }
            states[i + 1] = up;
        }
        return states;
    }

    /** Every history of up to 12 results, for rise and fall 1..4 and both start states. */
    @Test
    void successFailure_everyShortHistory_matchesReference() {
        for (int rise = 1; rise <= 4; rise++) {
            for (int fall = 1; fall <= 4; fall++) {
                for (boolean start : new boolean[] {true, false}) {
                    for (int length = 0; length <= 12; length++) {
                        for (int history = 0; history < (1 << length); history++) {
                            boolean[] ref = referenceStates(history, length, rise, fall, start);
                            HealthState s = new HealthState(rise, fall, start);
                            for (int i = 0; i < length; i++) {
                                boolean ok = ((history >>> i) & 1) != 0;
                                boolean flipped = ok ? s.success() : s.failure();
                                assertThat(s.up()).isEqualTo(ref[i + 1]);
                                assertThat(flipped).isEqualTo(ref[i + 1] != ref[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void failure_fallInARow_flipsDownOnce() {
        HealthState s = new HealthState(2, 3);
        assertThat(s.up()).isTrue();
        assertThat(s.failure()).isFalse();
        assertThat(s.failure()).isFalse();
        assertThat(s.success()).isFalse();
        assertThat(s.failure()).isFalse();
        assertThat(s.failure()).isFalse();
        assertThat(s.failure()).isTrue();
        assertThat(s.failure()).isFalse();
        assertThat(s.up()).isFalse();
        assertThat(s.success()).isFalse();
        assertThat(s.success()).isTrue();
        assertThat(s.up()).isTrue();
    }

    @Test
    void constructor_zeroRiseOrFall_refusedNamingThem() {
        assertThatThrownBy(() -> new HealthState(0, 3)).hasMessageContaining("rise 0");
        assertThatThrownBy(() -> new HealthState(2, 0)).hasMessageContaining("fall 0");
    }
}
