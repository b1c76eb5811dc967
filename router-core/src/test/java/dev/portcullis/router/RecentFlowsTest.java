package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecentFlowsTest {

    private static FlowKey v4(int i) {
        return new FlowKey(IpAddress.v4(0x0A00_0000 + i), IpAddress.v4(0xCB00_710A), 1024 + i, 443, 6);
    }

    private static void record(RecentFlows r, FlowKey f) {
        r.record(f.source(), f.destination(), f.sourcePort(), f.destinationPort(), f.protocol());
    }

    @Test
    void snapshot_empty_isEmpty() {
        assertThat(new RecentFlows(8).snapshot()).isEmpty();
    }

    @Test
    void snapshot_moreFlowsThanSlots_keepsTheNewestFirst() {
        RecentFlows r = new RecentFlows(4);
        for (int i = 0; i < 10; i++) {
            record(r, v4(i));
        }
        assertThat(r.snapshot()).containsExactly(v4(9), v4(8), v4(7), v4(6));
    }

    @Test
    void snapshot_repeatedFlow_listedOnce() {
        RecentFlows r = new RecentFlows(8);
        record(r, v4(1));
        record(r, v4(2));
        record(r, v4(1));
        assertThat(r.snapshot()).containsExactly(v4(1), v4(2));
    }

    @Test
    void record_ipv6AndUdp_roundTripsEveryField() {
        RecentFlows r = new RecentFlows(2);
        FlowKey f = new FlowKey(IpAddress.parse("2001:db8::7"), IpAddress.parse("2001:db8:ed9e::10"), 65535, 53, 17);
        record(r, f);
        assertThat(r.snapshot()).containsExactly(f);
    }

    @Test
    void record_mixedFamilies_ignored() {
        RecentFlows r = new RecentFlows(2);
        r.record(IpAddress.parse("192.0.2.1"), IpAddress.parse("2001:db8::1"), 1, 2, 6);
        assertThat(r.snapshot()).isEmpty();
    }

    @Test
    void constructor_notPowerOfTwo_refused() {
        assertThatThrownBy(() -> new RecentFlows(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1000");
    }

    /**
     * Invariant: a snapshot never holds a flow that was not recorded, even while writers race each other and the
     * reader. Each writer records flows whose fields all derive from one number, so a torn slot (halves of two
     * flows) shows up as a flow whose fields disagree.
     */
    @Test
    void snapshot_concurrentWriters_neverReturnsATornFlow() throws Exception {
        RecentFlows r = new RecentFlows(16);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int seed = w;
            writers.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                int i = seed;
                while (!stop.get()) {
                    int n = i++ & 0x7FFF;
                    r.record(IpAddress.v6(n, ~n), IpAddress.v6(-n, n * 31L), n, n ^ 0x5555, n & 0xFF);
                }
            }));
        }
        started.await();
        AtomicInteger seen = new AtomicInteger();
        long deadline = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < deadline || seen.get() < 1000) {
            for (FlowKey f : r.snapshot()) {
                long n = f.source().hi();
                assertThat(f.source().lo()).isEqualTo(~n);
                assertThat(f.destination().hi()).isEqualTo(-n);
                assertThat(f.destination().lo()).isEqualTo(n * 31L);
                assertThat(f.sourcePort()).isEqualTo((int) n);
                assertThat(f.destinationPort()).isEqualTo((int) n ^ 0x5555);
                assertThat(f.protocol()).isEqualTo((int) n & 0xFF);
                seen.incrementAndGet();
            }
        }
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(seen.get()).isGreaterThanOrEqualTo(1000);
    }
}
