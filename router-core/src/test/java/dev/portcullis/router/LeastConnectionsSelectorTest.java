package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.Balance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeastConnectionsSelectorTest {

    @Test
    void select_differentCounts_picksFewest() {
        List<Endpoint> eps = TestEndpoints.of(3);
        open(eps.get(0), 5);
        open(eps.get(1), 2);
        open(eps.get(2), 7);
        EndpointSelector s = EndpointSelector.of(Balance.LEAST_CONNECTIONS, eps);
        for (int i = 0; i < 5; i++) {
            assertThat(s.select(i)).isSameAs(eps.get(1));
        }
        assertThat(s).isInstanceOf(LeastConnectionsSelector.class);
    }

    /** Invariant: equal endpoints take turns, so a burst of selections spreads over them. */
    @Test
    void select_ties_eachInTurn() {
        List<Endpoint> eps = TestEndpoints.of(4);
        EndpointSelector s = EndpointSelector.of(Balance.LEAST_CONNECTIONS, eps);
        List<Endpoint> got = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            got.add(s.select(0));
        }
        assertThat(got).containsExactly(eps.get(0), eps.get(1), eps.get(2), eps.get(3),
                eps.get(0), eps.get(1), eps.get(2), eps.get(3));
    }

    /** Compared with a reference (the minimum over the healthy ones) on random counts and flags. */
    @Test
    void select_randomCountsAndFlags_matchesReferenceMinimum() {
        Random rnd = new Random(11);
        List<Endpoint> eps = TestEndpoints.of(7);
        EndpointSelector s = EndpointSelector.of(Balance.LEAST_CONNECTIONS, eps);
        for (int round = 0; round < 3000; round++) {
            Endpoint flip = eps.get(rnd.nextInt(eps.size()));
            flip.healthy(rnd.nextInt(4) > 0);
            Endpoint busy = eps.get(rnd.nextInt(eps.size()));
            if (rnd.nextBoolean()) {
                busy.opened();
            } else if (busy.active() > 0) {
                busy.closed();
            }
            int min = eps.stream().filter(Endpoint::healthy).mapToInt(Endpoint::active).min().orElse(-1);
            Endpoint e = s.select(rnd.nextLong());
            if (min < 0) {
                assertThat(e).isNull();
            } else {
                assertThat(e.healthy()).isTrue();
                assertThat(e.active()).isEqualTo(min);
            }
        }
    }

    @Test
    void select_noneHealthyOrEmpty_null() {
        List<Endpoint> eps = TestEndpoints.of(2);
        EndpointSelector s = EndpointSelector.of(Balance.LEAST_CONNECTIONS, eps);
        eps.forEach(e -> e.healthy(false));
        assertThat(s.select(0)).isNull();
        assertThat(EndpointSelector.of(Balance.LEAST_CONNECTIONS, List.of()).select(0)).isNull();
    }

    private static void open(Endpoint e, int n) {
        for (int i = 0; i < n; i++) {
            e.opened();
        }
    }
}
