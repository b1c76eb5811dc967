package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.Balance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaglevSelectorTest {

    private static final int M = MaglevSelector.DEFAULT_TABLE_SIZE;

    /**
     * The paper's population pseudo-code taken literally, with each permutation stored in full: the reference
     * that {@link MaglevSelector#populate} must equal.
     */
    private static int[] referencePopulate(int[] offsets, int[] skips, int m) {
        int n = offsets.length;
        int[][] permutation = new int[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                permutation[i][j] = (int) ((offsets[i] + (long) j * skips[i]) % m);
            }
        }
        int[] next = new int[n];
        int[] entry = new int[m];
        java.util.Arrays.fill(entry, -1);
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                int c = permutation[i][next[i]];
                while (entry[c] >= 0) {
                    next[i]++;
                    c = permutation[i][next[i]];
                }
                entry[c] = i;
                next[i]++;
                filled++;
                if (filled == m) {
                    return entry;
                }
            }
        }
    }

    @Test
    void populate_randomPermutations_matchesPaperReference() {
        Random rnd = new Random(3);
        for (int m : new int[] {2, 7, 13, 101, 1009, 4099}) {
            for (int round = 0; round < 20; round++) {
                int n = 1 + rnd.nextInt(Math.min(m, 40));
                int[] offsets = new int[n];
                int[] skips = new int[n];
                for (int i = 0; i < n; i++) {
                    offsets[i] = rnd.nextInt(m);
                    skips[i] = 1 + rnd.nextInt(m - 1);
                }
                assertThat(MaglevSelector.populate(offsets, skips, m))
                        .as("m=%d n=%d", m, n)
                        .isEqualTo(referencePopulate(offsets, skips, m));
            }
        }
    }

    /** Invariant: the fill goes in turns, so N endpoints hold floor(M/N) or ceil(M/N) slots each. */
    @Test
    void select_tenEndpoints_eachHoldsMOverNSlots() {
        List<Endpoint> eps = TestEndpoints.of(10);
        EndpointSelector s = EndpointSelector.of(Balance.MAGLEV, eps);
        Map<Endpoint, Integer> slots = slotCounts(s);
        assertThat(slots).hasSize(10);
        assertThat(slots.values()).allSatisfy(c -> assertThat(c).isBetween(M / 10, M / 10 + 1));
    }

    /** Remove one of ten: its clients move, and under 2% of the others do (Maglev's bound is small, not zero). */
    @Test
    void select_oneOfTenDown_movesItsClientsAndFewOthers_andComingBackRestoresAll() {
        List<Endpoint> eps = TestEndpoints.of(10);
        EndpointSelector s = EndpointSelector.of(Balance.MAGLEV, eps);
        Random rnd = new Random(5);
        long[] clients = new long[100_000];
        Endpoint[] before = new Endpoint[clients.length];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = rnd.nextLong();
            before[i] = s.select(clients[i]);
        }
        Endpoint down = eps.get(4);
        down.healthy(false);
        s.healthChanged();
        int others = 0;
        int othersMoved = 0;
        for (int i = 0; i < clients.length; i++) {
            Endpoint now = s.select(clients[i]);
            assertThat(now).isNotSameAs(down);
            if (before[i] != down) {
                others++;
                if (now != before[i]) {
                    othersMoved++;
                }
            }
        }
        assertThat(others).isBetween(88_000, 92_000);
        assertThat((double) othersMoved / others).isLessThan(0.02);

        down.healthy(true);
        s.healthChanged();
        for (int i = 0; i < clients.length; i++) {
            assertThat(s.select(clients[i])).isSameAs(before[i]);
        }
    }

    @Test
    void select_sameClient_sameEndpointAcrossCallsAndListOrders() {
        List<Endpoint> eps = TestEndpoints.of(8);
        EndpointSelector s = EndpointSelector.of(Balance.MAGLEV, eps);
        List<Endpoint> shuffled = new ArrayList<>(eps);
        Collections.shuffle(shuffled, new Random(9));
        EndpointSelector t = EndpointSelector.of(Balance.MAGLEV, shuffled);
        Random rnd = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            long c = rnd.nextLong();
            Endpoint e = s.select(c);
            assertThat(s.select(c)).isSameAs(e);
            assertThat(t.select(c)).isSameAs(e);
        }
    }

    @Test
    void select_noneHealthyOrEmpty_null() {
        List<Endpoint> eps = TestEndpoints.of(3);
        EndpointSelector s = EndpointSelector.of(Balance.MAGLEV, eps);
        eps.forEach(e -> e.healthy(false));
        assertThat(s.select(42)).as("stale table").isNull();
        s.healthChanged();
        assertThat(s.select(42)).isNull();
        eps.get(2).healthy(true);
        assertThat(s.select(42)).as("up again, before healthChanged").isSameAs(eps.get(2));
        assertThat(EndpointSelector.of(Balance.MAGLEV, List.of()).select(42)).isNull();
    }

    /** A flip whose healthChanged has not run yet must still never yield a down endpoint. */
    @Test
    void select_downBeforeHealthChanged_neverReturnsDown() {
        List<Endpoint> eps = TestEndpoints.of(5);
        MaglevSelector s = new MaglevSelector(eps, 101);
        eps.get(0).healthy(false);
        eps.get(3).healthy(false);
        for (long c = 0; c < 101; c++) {
            assertThat(s.select(c).healthy()).isTrue();
        }
    }

    @Test
    void constructor_badTableSize_refusedNamingIt() {
        assertThatThrownBy(() -> new MaglevSelector(TestEndpoints.of(2), 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100 must be a prime");
        assertThatThrownBy(() -> new MaglevSelector(TestEndpoints.of(20), 13))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20 endpoints");
    }

    private static Map<Endpoint, Integer> slotCounts(EndpointSelector s) {
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (long slot = 0; slot < M; slot++) {
            counts.merge(s.select(slot), 1, Integer::sum);
        }
        return counts;
    }
}
