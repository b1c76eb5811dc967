package dev.portcullis.router;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Traffic counters of one service, kept under its name across commits. Thread-safe: every field is atomic.
 */
public final class ServiceCounters {

    private final String name;
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder total = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder[] refusals = new LongAdder[RefusalReason.values().length];

    public ServiceCounters(String name) {
        this.name = name;
        for (int i = 0; i < refusals.length; i++) {
            refusals[i] = new LongAdder();
        }
    }

    public String name() {
        return name;
    }

    void opened() {
        active.incrementAndGet();
        total.increment();
    }

    void closed() {
        active.decrementAndGet();
    }

    void refused(RefusalReason reason) {
        refusals[reason.ordinal()].increment();
    }

    /** Bytes from clients towards endpoints. */
    void addBytesIn(long n) {
        bytesIn.add(n);
    }

    /** Bytes from endpoints back to clients. */
    void addBytesOut(long n) {
        bytesOut.add(n);
    }

    public int active() {
        return active.get();
    }

    public long total() {
        return total.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long refusals(RefusalReason reason) {
        return refusals[reason.ordinal()].sum();
    }

    void reset() {
        total.reset();
        bytesIn.reset();
        bytesOut.reset();
        for (LongAdder r : refusals) {
            r.reset();
        }
    }
}
