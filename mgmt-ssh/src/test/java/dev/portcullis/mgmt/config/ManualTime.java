package dev.portcullis.mgmt.config;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A clock and a confirm timer that move only when a test says so: {@link #advance} moves the clock and runs, on
 * the test's thread, every task that has come due, in order. Not thread-safe; one test thread drives it.
 */
final class ManualTime implements InstantSource, ConfirmTimer {

    private Instant now;
    private final List<Task> tasks = new ArrayList<>();
    private long sequence;

    private static final class Task {
        final Instant due;
        final long order;
        final Runnable run;
        boolean cancelled;

        Task(Instant due, long order, Runnable run) {
            this.due = due;
            this.order = order;
            this.run = run;
        }
    }

    ManualTime(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        Task t = new Task(now.plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, task);
        tasks.add(t);
        return () -> t.cancelled = true;
    }

    /** Tasks scheduled and not cancelled or run. */
    int pending() {
        return (int) tasks.stream().filter(t -> !t.cancelled).count();
    }

    /** Moves the clock forward, running each task when the clock reaches its time. */
    void advance(Duration d) {
        Instant end = now.plus(d);
        while (true) {
            Task next = tasks.stream().filter(t -> !t.cancelled && !t.due.isAfter(end))
                    .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.order)).orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            if (next.due.isAfter(now)) {
                now = next.due;
            }
            next.run.run();
        }
        now = end;
    }

    @Override
    public void close() {
        tasks.clear();
    }
}
