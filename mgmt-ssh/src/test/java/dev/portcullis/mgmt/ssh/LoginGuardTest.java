package dev.portcullis.mgmt.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.ApplianceConfig.Lockout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginGuardTest {

    private long now = 1_000_000_000L;
    private final LoginGuard guard = new LoginGuard(new Lockout(2, Duration.ofSeconds(1), 4, Duration.ofMinutes(10),
            Duration.ofMinutes(15)), () -> now);

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    void failed_belowDelayAfter_noDelay() {
        guard.failed("a");
        assertThat(guard.delay("a")).isZero();
        assertThat(guard.lockedFor("a")).isZero();
    }

    @Test
    void failed_pastDelayAfter_delaysDoublingThenLocks() {
        guard.failed("a");
        guard.failed("a");
        assertThat(guard.delay("a")).isEqualTo(Duration.ofSeconds(1));
        assertThat(guard.waitBeforeNext("a")).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofMillis(400));
        assertThat(guard.waitBeforeNext("a")).isEqualTo(Duration.ofMillis(600));
        assertThat(guard.failed("a")).isFalse();
        assertThat(guard.delay("a")).isEqualTo(Duration.ofSeconds(2));
        assertThat(guard.failed("a")).isTrue(); // the 4th locks
        assertThat(guard.lockedFor("a")).isEqualTo(Duration.ofMinutes(15));
        assertThat(guard.lockedFor("b")).isZero(); // per source
    }

    @Test
    void lockout_over_countStartsAfresh() {
        for (int i = 0; i < 4; i++) {
            guard.failed("a");
        }
        advance(Duration.ofMinutes(15));
        assertThat(guard.lockedFor("a")).isZero();
        assertThat(guard.failures("a")).isZero();
        guard.failed("a");
        assertThat(guard.failures("a")).isEqualTo(1);
        assertThat(guard.lockedFor("a")).isZero();
    }

    @Test
    void window_passed_failuresForgotten() {
        guard.failed("a");
        guard.failed("a");
        guard.failed("a");
        advance(Duration.ofMinutes(10));
        assertThat(guard.failures("a")).isZero();
        assertThat(guard.delay("a")).isZero();
        guard.sweep();
        guard.failed("a");
        assertThat(guard.failures("a")).isEqualTo(1);
    }

    @Test
    void succeeded_clearsTheSource() {
        guard.failed("a");
        guard.failed("a");
        guard.succeeded("a");
        assertThat(guard.failures("a")).isZero();
        assertThat(guard.delay("a")).isZero();
    }

    @Test
    void delay_manyFailures_cappedAtSixteenTimes() {
        LoginGuard g = new LoginGuard(new Lockout(1, Duration.ofSeconds(1), 100, Duration.ofMinutes(10),
                Duration.ofMinutes(15)), () -> now);
        for (int i = 0; i < 50; i++) {
            g.failed("a");
        }
        assertThat(g.delay("a")).isEqualTo(Duration.ofSeconds(16));
    }
}
