package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.Balance;
import dev.portcullis.policy.HostPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoundRobinSelectorTest {

    @Test
    void select_allHealthy_eachInTurn() {
        List<Endpoint> eps = TestEndpoints.of(3);
        EndpointSelector s = EndpointSelector.of(Balance.ROUND_ROBIN, eps);
        List<Endpoint> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            got.add(s.select(i));
        }
        assertThat(got).containsExactly(eps.get(0), eps.get(1), eps.get(2), eps.get(0), eps.get(1), eps.get(2));
        assertThat(s).isInstanceOf(RoundRobinSelector.class);
        assertThat(s.endpoints()).isEqualTo(eps);
    }

    /** Invariant: a down endpoint's turns are shared equally, not handed to its successor. */
    @Test
    void select_oneDownAfterHealthChanged_othersShareEqually() {
        List<Endpoint> eps = TestEndpoints.of(4);
        EndpointSelector s = EndpointSelector.of(Balance.ROUND_ROBIN, eps);
        eps.get(1).healthy(false);
        s.healthChanged();
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(s.select(0), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys(eps.get(0), eps.get(2), eps.get(3));
        assertThat(counts.values()).containsOnly(100);
    }

    /** Compared with a reference: random flips, with and without healthChanged, never yield a down endpoint. */
    @Test
    void select_randomFlips_returnsHealthyOrNullWhenNoneIs() {
        Random rnd = new Random(7);
        List<Endpoint> eps = TestEndpoints.of(6);
        EndpointSelector s = EndpointSelector.of(Balance.ROUND_ROBIN, eps);
        for (int round = 0; round < 2000; round++) {
            eps.get(rnd.nextInt(eps.size())).healthy(rnd.nextInt(3) > 0);
            if (rnd.nextBoolean()) {
                s.healthChanged();
            }
            boolean anyUp = eps.stream().anyMatch(Endpoint::healthy);
            Endpoint e = s.select(rnd.nextLong());
            if (anyUp) {
                assertThat(e).isNotNull();
                assertThat(e.healthy()).isTrue();
            } else {
                assertThat(e).isNull();
            }
        }
    }

    @Test
    void select_noneHealthyOrEmpty_null() {
        List<Endpoint> eps = TestEndpoints.of(2);
        EndpointSelector s = EndpointSelector.of(Balance.ROUND_ROBIN, eps);
        eps.forEach(e -> e.healthy(false));
        s.healthChanged();
        assertThat(s.select(1)).isNull();
        assertThat(EndpointSelector.of(Balance.ROUND_ROBIN, List.of()).select(1)).isNull();
    }

    @Test
    void of_duplicateAddress_refusedNamingIt() {
        List<Endpoint> eps = List.of(new Endpoint(HostPort.parse("10.0.0.1:80")),
                new Endpoint(HostPort.parse("10.0.0.1:80")));
        for (Balance b : Balance.values()) {
            assertThatThrownBy(() -> EndpointSelector.of(b, eps))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("10.0.0.1:80 is listed twice");
        }
    }
}
