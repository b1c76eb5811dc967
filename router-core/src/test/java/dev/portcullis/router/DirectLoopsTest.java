package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DirectLoopsTest {

    private static List<DirectLoops.Loop> loops(int... counts) {
        List<DirectLoops.Loop> out = new ArrayList<>();
        for (int c : counts) {
            out.add(new DirectLoops.Loop(null, null, null, new AtomicInteger(c)));
        }
        return out;
    }

    @Test
    void place_balancedOrWithinAnEighth_keepsTheConnection() {
        List<DirectLoops.Loop> l = loops(0, 0, 0);
        assertThat(new DirectLoops(l).place(l.get(1))).isSameAs(l.get(1));
        l = loops(28, 25);
        assertThat(new DirectLoops(l).place(l.get(0))).as("28 <= 25 + 25/8").isSameAs(l.get(0));
    }

    @Test
    void place_clearlyMoreThanTheLeast_handsToTheLeastLoaded() {
        List<DirectLoops.Loop> l = loops(1, 3, 0);
        assertThat(new DirectLoops(l).place(l.get(0))).isSameAs(l.get(2));
        l = loops(29, 25);
        assertThat(new DirectLoops(l).place(l.get(0))).isSameAs(l.get(1));
    }

    /**
     * The case placement exists for: the kernel wakes the same idle loop for every new connection
     * (EPOLLEXCLUSIVE), and the connections live long. They end up spread evenly, at most one apart.
     */
    @Test
    void place_countsTheConnectionWhereItGoes() {
        List<DirectLoops.Loop> l = loops(2, 0);
        DirectLoops d = new DirectLoops(l);
        d.place(l.get(0)); // a burst: the second is placed before the first hand-off has run
        d.place(l.get(0));
        assertThat(l).extracting(x -> x.connections().get()).containsExactly(2, 2);
    }

    @Test
    void place_longStreamsAllAcceptedByOneLoop_endUpEvenlySpread() {
        for (int loopsCount = 2; loopsCount <= 4; loopsCount++) {
            for (int streams = 1; streams <= 64; streams++) {
                List<DirectLoops.Loop> l = loops(new int[loopsCount]);
                DirectLoops d = new DirectLoops(l);
                for (int i = 0; i < streams; i++) {
                    d.place(l.getFirst());
                }
                int max = l.stream().mapToInt(x -> x.connections().get()).max().orElseThrow();
                int min = l.stream().mapToInt(x -> x.connections().get()).min().orElseThrow();
                assertThat(max - min).as("%d streams on %d loops", streams, loopsCount)
                        .isLessThanOrEqualTo(Math.max(1, min / 8 + 1));
            }
        }
    }
}
