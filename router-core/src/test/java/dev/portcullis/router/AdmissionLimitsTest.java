package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.ServiceLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class AdmissionLimitsTest {

    private static final IpAddress A = IpAddress.parse("192.0.2.1");
    private static final IpAddress B = IpAddress.parse("2001:db8::2");
    private static final long T = 5_000_000_000L;

    @Test
    void tryAdmit_serviceLimit_refusedAtMaxWithoutCounting() {
        AtomicInteger global = new AtomicInteger();
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(3, 0, 0, 0), global, 0);
        for (int i = 0; i < 3; i++) {
            assertThat(l.tryAdmit(A, T)).isNull();
        }
        assertThat(l.tryAdmit(B, T)).isEqualTo(RefusalReason.SERVICE_LIMIT);
        assertThat(l.active()).isEqualTo(3);
        assertThat(global.get()).isEqualTo(3);
        l.release(A, T);
        assertThat(l.tryAdmit(B, T)).isNull();
        assertThat(l.sources()).as("no per-source limit: no per-source entries").isZero();
    }

    @Test
    void tryAdmit_sourceConnectionLimit_refusedAtMaxForThatSourceOnly() {
        AtomicInteger global = new AtomicInteger();
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(0, 2, 0, 0), global, 0);
        assertThat(l.tryAdmit(A, T)).isNull();
        assertThat(l.tryAdmit(A, T)).isNull();
        assertThat(l.tryAdmit(A, T)).isEqualTo(RefusalReason.SOURCE_CONNECTION_LIMIT);
        assertThat(l.tryAdmit(B, T)).isNull();
        assertThat(l.active()).isEqualTo(3);
        assertThat(global.get()).isEqualTo(3);
        l.release(A, T);
        assertThat(l.tryAdmit(A, T)).isNull();
        l.release(A, T);
        l.release(A, T);
        l.release(B, T);
        assertThat(l.sources()).as("entries go away with their last connection").isZero();
        assertThat(l.active()).isZero();
        assertThat(global.get()).isZero();
    }

    @Test
    void tryAdmit_sourceRate_refusedPastBurstAndAgainAfterAnInterval() {
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(0, 0, 10, 3), new AtomicInteger(), 0);
        for (int i = 0; i < 3; i++) {
            assertThat(l.tryAdmit(A, T)).isNull();
        }
        assertThat(l.tryAdmit(A, T)).isEqualTo(RefusalReason.SOURCE_RATE_LIMIT);
        assertThat(l.active()).isEqualTo(3);
        assertThat(l.tryAdmit(B, T)).isNull();
        assertThat(l.tryAdmit(A, T + 99_999_999)).isEqualTo(RefusalReason.SOURCE_RATE_LIMIT);
        assertThat(l.tryAdmit(A, T + 100_000_000)).isNull();
    }

    /** Invariant: closing connections does not refill the bucket; only time does. */
    @Test
    void release_rateLimitedSource_keepsItsBucketUntilFull() {
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(0, 0, 1, 1), new AtomicInteger(), 0);
        assertThat(l.tryAdmit(A, T)).isNull();
        l.release(A, T);
        assertThat(l.sources()).isEqualTo(1);
        assertThat(l.tryAdmit(A, T)).isEqualTo(RefusalReason.SOURCE_RATE_LIMIT);
        assertThat(l.sweep(T + 999_999_999)).isZero();
        assertThat(l.sources()).isEqualTo(1);
        assertThat(l.sweep(T + 2_000_000_000)).isEqualTo(1);
        assertThat(l.sources()).isZero();
        assertThat(l.tryAdmit(A, T + 2_000_000_000)).isNull();
    }

    @Test
    void tryAdmit_rateWithoutBurst_allowsOneSecondsWorth() {
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(0, 0, 2.5, 0), new AtomicInteger(), 0);
        for (int i = 0; i < 3; i++) {
            assertThat(l.tryAdmit(A, T)).isNull();
        }
        assertThat(l.tryAdmit(A, T)).isEqualTo(RefusalReason.SOURCE_RATE_LIMIT);
    }

    @Test
    void tryAdmit_globalLimitSharedByServices_refusedAtMaxWithoutCounting() {
        AtomicInteger global = new AtomicInteger();
        AdmissionLimits one = new AdmissionLimits(ServiceLimits.NONE, global, 3);
        AdmissionLimits two = new AdmissionLimits(new ServiceLimits(10, 5, 100, 10), global, 3);
        assertThat(one.tryAdmit(A, T)).isNull();
        assertThat(one.tryAdmit(A, T)).isNull();
        assertThat(two.tryAdmit(A, T)).isNull();
        assertThat(two.tryAdmit(B, T)).isEqualTo(RefusalReason.GLOBAL_LIMIT);
        assertThat(one.tryAdmit(B, T)).isEqualTo(RefusalReason.GLOBAL_LIMIT);
        assertThat(global.get()).isEqualTo(3);
        assertThat(two.active()).isEqualTo(1);
        assertThat(two.sources()).as("B's entry is kept only for its spent token").isEqualTo(2);
        one.release(A, T);
        assertThat(two.tryAdmit(B, T)).isNull();
    }

    @Test
    void tryAdmit_sourceChecksFirst_abuserCountedUnderItsOwnLimit() {
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(1, 1, 0, 0), new AtomicInteger(), 0);
        assertThat(l.tryAdmit(A, T)).isNull();
        assertThat(l.tryAdmit(A, T)).isEqualTo(RefusalReason.SOURCE_CONNECTION_LIMIT);
        assertThat(l.tryAdmit(B, T)).isEqualTo(RefusalReason.SERVICE_LIMIT);
        assertThat(l.sources()).isEqualTo(1);
    }

    @Test
    void tryAdmit_sourceTableFull_newAddressRefusedAndCounted() {
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(0, 4, 0, 0), new AtomicInteger(), 0, 2);
        IpAddress c = IpAddress.parse("192.0.2.3");
        assertThat(l.tryAdmit(A, T)).isNull();
        assertThat(l.tryAdmit(B, T)).isNull();
        assertThat(l.tryAdmit(c, T)).isEqualTo(RefusalReason.SOURCE_CONNECTION_LIMIT);
        assertThat(l.sourceTableFullRefusals()).isEqualTo(1);
        assertThat(l.tryAdmit(A, T)).as("known addresses still admitted").isNull();
        l.release(B, T);
        assertThat(l.tryAdmit(c, T)).isNull();
        assertThat(l.sources()).isEqualTo(2);
    }

    @Test
    void release_withoutAdmission_refused() {
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(0, 1, 0, 0), new AtomicInteger(), 0);
        assertThatThrownBy(() -> l.release(A, T)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("192.0.2.1");
    }

    @Test
    void constructor_badArguments_refusedNamingThem() {
        assertThatThrownBy(() -> new AdmissionLimits(ServiceLimits.NONE, new AtomicInteger(), -1))
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> new AdmissionLimits(ServiceLimits.NONE, new AtomicInteger(), 0, 0))
                .hasMessageContaining("bound 0");
    }

    /**
     * Invariant: under racing admits and releases from several threads, no limit is ever exceeded, and every
     * count returns to zero (entries included) once all are released. Retiring and re-creating entries races too.
     */
    @Test
    void tryAdmit_concurrentThreads_neverExceedLimitsAndCountsReturnToZero() throws InterruptedException {
        int clients = 6;
        int perSourceMax = 3;
        int serviceMax = 10;
        int globalMax = 8;
        AtomicInteger global = new AtomicInteger();
        AdmissionLimits l = new AdmissionLimits(new ServiceLimits(serviceMax, perSourceMax, 1e6, 1000), global,
                globalMax);
        IpAddress[] addr = new IpAddress[clients];
        for (int i = 0; i < clients; i++) {
            addr[i] = IpAddress.v4(0xC0000200 + i);
        }
        AtomicIntegerArray held = new AtomicIntegerArray(clients);
        AtomicInteger heldTotal = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                Random rnd = new Random(seed);
                List<Integer> mine = new ArrayList<>();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < 20_000; k++) {
                    if (!mine.isEmpty() && rnd.nextInt(2) == 0) {
                        int c = mine.remove(mine.size() - 1);
                        held.decrementAndGet(c);
                        heldTotal.decrementAndGet();
                        l.release(addr[c], System.nanoTime());
                        continue;
                    }
                    int c = rnd.nextInt(clients);
                    if (l.tryAdmit(addr[c], System.nanoTime()) == null) {
                        admitted.incrementAndGet();
                        mine.add(c);
                        if (held.incrementAndGet(c) > perSourceMax
                                || heldTotal.incrementAndGet() > Math.min(serviceMax, globalMax)) {
                            violations.incrementAndGet();
                        }
                    }
                }
                for (int c : mine) {
                    held.decrementAndGet(c);
                    heldTotal.decrementAndGet();
                    l.release(addr[c], System.nanoTime());
                }
            });
            threads.add(th);
            th.start();
        }
        go.countDown();
        for (Thread th : threads) {
            th.join(30_000);
            assertThat(th.isAlive()).isFalse();
        }
        assertThat(violations.get()).isZero();
        assertThat(admitted.get()).isGreaterThan(1000);
        assertThat(l.active()).isZero();
        assertThat(global.get()).isZero();
        l.sweep(System.nanoTime() + 10_000_000_000L);
        assertThat(l.sources()).isZero();
    }
}
