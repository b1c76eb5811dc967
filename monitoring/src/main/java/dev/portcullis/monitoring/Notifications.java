package dev.portcullis.monitoring;

import dev.portcullis.policy.HostPort;
import dev.portcullis.router.RefusalReason;
import dev.portcullis.router.TokenBucket;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes notifications: each kind is rate-limited on its own, then every sink gets it on one thread of its own,
 * so a caller (an event loop that saw an endpoint go down, the console that committed) never blocks.
 *
 * <pre>{@code
 * Notifications n = monitoring.notifications();
 * n.commit(42, "alice");
 * n.automaticRollback(43, 42, "bob");
 * }</pre>
 *
 * <p>Rate limit: a token bucket per kind, {@code perMinute} tokens a minute and bursts of that many. A notification
 * past the limit, or one that finds the queue full (1,000 waiting), is not sent; it is counted as suppressed and
 * logged at debug level. Every notification published is logged at info level, sent or not, so the log stays the
 * complete record.
 *
 * <p>Threading: every method may be called from any thread.
 */
public final class Notifications implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
    static final int QUEUE = 1000;

    private final TokenBucket[] buckets = new TokenBucket[Notification.Kind.values().length];
    private final LongAdder[] sent = new LongAdder[buckets.length];
    private final LongAdder[] suppressed = new LongAdder[buckets.length];
    private final List<NotificationSink> sinks = new CopyOnWriteArrayList<>();
    private final LongSupplier nanoClock;
    private final ThreadPoolExecutor sender;
    /**
     * Notifications handed to the sender and not yet through every sink: counted here rather than read off the
     * executor, whose queue and active counts both miss a task between being dequeued and starting to run.
     */
    private final java.util.concurrent.atomic.AtomicLong undelivered = new java.util.concurrent.atomic.AtomicLong();

    /** Allows {@code perMinute} notifications of each kind a minute, in bursts of that many. */
    public Notifications(int perMinute) {
        this(perMinute, System::nanoTime);
    }

    Notifications(int perMinute, LongSupplier nanoClock) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("notifications per minute " + perMinute + " must be at least 1");
        }
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new TokenBucket(perMinute / 60.0, perMinute);
            sent[i] = new LongAdder();
            suppressed[i] = new LongAdder();
        }
        this.nanoClock = nanoClock;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                Thread.ofPlatform().name("notifications").daemon().factory());
    }

    /** Adds a sink that gets every notification sent from now on. */
    public void addSink(NotificationSink sink) {
        sinks.add(java.util.Objects.requireNonNull(sink, "sink"));
    }

    public void started(String node, String version) {
        publish(new Notification.Started(node, version));
    }

    public void endpointDown(String service, HostPort endpoint) {
        publish(new Notification.EndpointDown(service, endpoint));
    }

    public void endpointUp(String service, HostPort endpoint) {
        publish(new Notification.EndpointUp(service, endpoint));
    }

    /** A configuration was committed by {@code author} and runs now as {@code revision}. */
    public void commit(long revision, String author) {
        publish(new Notification.Commit(revision, author));
    }

    /** The unconfirmed commit {@code revision} by {@code author} was rolled back; {@code restored} runs again. */
    public void automaticRollback(long revision, long restored, String author) {
        publish(new Notification.AutomaticRollback(revision, restored, author));
    }

    public void limitHit(String service, RefusalReason reason, long refusals) {
        publish(new Notification.LimitHit(service, reason, refusals));
    }

    /** Logs {@code n}, and hands it to the sinks unless its kind is over the rate limit. */
    public void publish(Notification n) {
        int k = n.kind().ordinal();
        boolean allowed = buckets[k].tryTake(nanoClock.getAsLong());
        LOG.info("publish: {}{}", n, allowed ? "" : " (over the rate limit: not sent)");
        if (!allowed) {
            suppressed[k].increment();
            return;
        }
        undelivered.incrementAndGet();
        try {
            sender.execute(() -> deliver(n));
            sent[k].increment();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            undelivered.decrementAndGet();
            suppressed[k].increment();
            LOG.debug("publish: queue full or closed, {} not sent", n);
        }
    }

    private void deliver(Notification n) {
        try {
            for (NotificationSink s : sinks) {
                try {
                    s.send(n);
                } catch (RuntimeException e) {
                    LOG.warn("deliver: sink {} failed on {}", s, n, e);
                }
            }
        } finally {
            undelivered.decrementAndGet();
        }
    }

    /** Notifications of {@code kind} handed to the sinks since start. */
    public long sent(Notification.Kind kind) {
        return sent[kind.ordinal()].sum();
    }

    /** Notifications of {@code kind} not sent: over the rate limit or the queue full. */
    public long suppressed(Notification.Kind kind) {
        return suppressed[kind.ordinal()].sum();
    }

    /** Waits up to {@code millis} for queued notifications to be delivered; for tests and an orderly stop. */
    boolean drain(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (undelivered.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Delivers what is queued (waiting up to 2 s), then stops the notifications thread. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(2, TimeUnit.SECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
