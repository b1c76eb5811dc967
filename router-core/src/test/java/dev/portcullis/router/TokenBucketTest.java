package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    /** The textbook bucket: credit in nanoseconds, refilled by elapsed time up to burst intervals. */
    private static final class ReferenceBucket {
        private final long interval;
        private final long capacity;
        private long credit;
        private long last;

        ReferenceBucket(long interval, int burst, long start) {
            this.interval = interval;
            this.capacity = interval * burst;
            this.credit = capacity;
            this.last = start;
        }

        boolean tryTake(long now) {
            credit = Math.min(capacity, credit + (now - last));
            last = now;
            if (credit >= interval) {
                credit -= interval;
                return true;
            }
            return false;
        }
    }

    @Test
    void tryTake_randomTimes_matchesReference() {
        Random rnd = new Random(17);
        double[] rates = {0.5, 1, 2, 10, 100, 1000, 1e6};
        for (double rate : rates) {
            for (int burst : new int[] {1, 2, 5, 50}) {
                long interval = Math.round(1e9 / rate);
                long now = rnd.nextLong(); // any clock origin, negative included
                TokenBucket bucket = new TokenBucket(rate, burst);
                ReferenceBucket ref = new ReferenceBucket(interval, burst, now);
                for (int i = 0; i < 5000; i++) {
                    // Mostly gaps shorter than an interval (bursts), sometimes long idles.
                    now += rnd.nextInt(10) == 0 ? (long) (rnd.nextDouble() * interval * burst * 2)
                            : (long) (rnd.nextDouble() * interval / 3);
                    assertThat(bucket.tryTake(now)).as("rate %s burst %d step %d", rate, burst, i)
                            .isEqualTo(ref.tryTake(now));
                }
            }
        }
    }

    @Test
    void tryTake_fullBucket_givesBurstThenOnePerInterval() {
        TokenBucket b = new TokenBucket(10, 3);
        long t = 1_000_000_000L;
        assertThat(b.full(t)).isTrue();
        assertThat(b.tryTake(t)).isTrue();
        assertThat(b.tryTake(t)).isTrue();
        assertThat(b.tryTake(t)).isTrue();
        assertThat(b.tryTake(t)).isFalse();
        assertThat(b.tryTake(t + 99_999_999)).isFalse();
        assertThat(b.tryTake(t + 100_000_000)).isTrue();
        assertThat(b.tryTake(t + 100_000_000)).isFalse();
        assertThat(b.full(t + 399_999_999)).isFalse();
        assertThat(b.full(t + 400_000_000)).isTrue();
        assertThat(b.available(t + 400_000_000)).isEqualTo(3.0);
    }

    /** Invariant: racing threads at one instant share exactly burst tokens. */
    @Test
    void tryTake_concurrentAtOneInstant_neverMoreThanBurst() throws InterruptedException {
        for (int round = 0; round < 20; round++) {
            TokenBucket b = new TokenBucket(1, 1000);
            AtomicInteger taken = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Thread[] threads = new Thread[4];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int k = 0; k < 600; k++) {
                        if (b.tryTake(42)) {
                            taken.incrementAndGet();
                        }
                    }
                });
                threads[i].start();
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertThat(taken.get()).isEqualTo(1000);
        }
    }

    @Test
    void constructor_badArguments_refusedNamingThem() {
        assertThatThrownBy(() -> new TokenBucket(0, 1)).hasMessageContaining("rate 0.0");
        assertThatThrownBy(() -> new TokenBucket(Double.NaN, 1)).hasMessageContaining("rate NaN");
        assertThatThrownBy(() -> new TokenBucket(1, 0)).hasMessageContaining("burst 0");
        assertThatThrownBy(() -> new TokenBucket(1e-12, 10)).hasMessageContaining("2^62");
    }
}
