package dev.portcullis.mgmt.config;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the automatic rollback of an unconfirmed {@code commit confirmed} later. Injectable so that tests move time
 * by hand instead of sleeping for minutes.
 *
 * <p>Implementations run tasks on a thread of their own and are thread-safe.
 */
public interface ConfirmTimer extends AutoCloseable {

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Scheduled {
        /** Calls the task off if it has not started; harmless after it ran. */
        void cancel();
    }

    /** Runs {@code task} once, {@code delay} from now (at once for a zero or negative delay). */
    Scheduled schedule(Duration delay, Runnable task);

    /** Stops the timer; tasks not yet run are dropped. */
    @Override
    void close();

    /** A timer on one daemon thread of its own. */
    static ConfirmTimer daemon() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("config-confirm-timer").daemon().factory());
        return new ConfirmTimer() {
            @Override
            public Scheduled schedule(Duration delay, Runnable task) {
                ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
