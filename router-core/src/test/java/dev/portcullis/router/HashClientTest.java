package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.IpAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashClientTest {

    /** Sequential addresses (one subnet) must not cluster: every output bit is set about half the time. */
    @Test
    void hashClient_sequentialV4_bitsBalancedAndNoCollisions() {
        int n = 1 << 16;
        int[] ones = new int[64];
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            long h = EndpointSelector.hashClient(IpAddress.v4(0x0A000000 | i));
            seen.add(h);
            for (int b = 0; b < 64; b++) {
                ones[b] += (int) ((h >>> b) & 1);
            }
        }
        assertThat(seen).hasSize(n);
        for (int b = 0; b < 64; b++) {
            assertThat(ones[b]).as("bit %d", b).isBetween(n / 2 - n / 50, n / 2 + n / 50);
        }
    }

    @Test
    void hashClient_sameBitsOtherFamilyOrHalf_differs() {
        IpAddress v4 = IpAddress.parse("10.0.0.1");
        IpAddress v6 = IpAddress.v6(0, v4.lo());
        IpAddress swapped = IpAddress.v6(v4.lo(), 0);
        assertThat(EndpointSelector.hashClient(v4)).isNotEqualTo(EndpointSelector.hashClient(v6));
        assertThat(EndpointSelector.hashClient(v6)).isNotEqualTo(EndpointSelector.hashClient(swapped));
        assertThat(EndpointSelector.hashClient(IpAddress.parse("2001:db8::1")))
                .isEqualTo(EndpointSelector.hashClient(IpAddress.parse("2001:db8:0::1")));
    }
}
