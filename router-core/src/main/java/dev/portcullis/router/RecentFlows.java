package dev.portcullis.router;

import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The five-tuples of the last few thousand new connections and flows the data plane decided, newest overwriting
 * oldest. The configuration console classifies them under a candidate policy to show which real traffic a change
 * would treat differently.
 *
 * <pre>{@code
 * RecentFlows recent = plane.recentFlows();
 * List<FlowKey> flows = recent.snapshot();   // newest first, without repeats
 * }</pre>
 *
 * <h2>How</h2>
 * Each slot holds five longs (source and destination as two halves each, and ports, protocol and family packed in
 * one) in one flat array, guarded by a per-slot sequence number used as a seqlock: a writer claims a slot by a CAS
 * of its sequence from even to odd, writes, and publishes by making it even again; a reader takes a slot only when
 * it saw the same even sequence before and after reading it. A writer that finds its slot busy (another writer has
 * lapped the whole ring meanwhile) drops its sample: a sample is worth less than a wait on an event loop.
 * {@link #record} allocates nothing and takes no lock; {@link #snapshot} is for the console, not the hot path.
 *
 * <p>Thread-safe: any number of event loops record while any thread takes snapshots.
 */
public final class RecentFlows {

    /** The default number of slots: 1,024 flows, 48 KiB. */
    public static final int DEFAULT_CAPACITY = 1024;

    private static final int LONGS_PER_SLOT = 5;

    private final int mask;
    /** Per-slot sequence: 0 never written, odd being written, even and positive published. */
    private final AtomicLongArray sequence;
    /** Slot {@code i} is {@code data[5i .. 5i+4]}; read and written only under its slot's sequence protocol. */
    private final AtomicLongArray data;
    /** The next slot to write, as an ever-growing count. */
    private final AtomicLong cursor = new AtomicLong();

    /**
     * @param capacity the number of flows kept, a power of two from 1 to 2^20
     * @throws IllegalArgumentException for any other capacity
     */
    public RecentFlows(int capacity) {
        if (capacity < 1 || capacity > 1 << 20 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity + " is not a power of two from 1 to 2^20");
        }
        this.mask = capacity - 1;
        this.sequence = new AtomicLongArray(capacity);
        this.data = new AtomicLongArray(capacity * LONGS_PER_SLOT);
    }

    public int capacity() {
        return mask + 1;
    }

    /**
     * Records one decided flow. Addresses of different families (which the data plane never matches) are ignored.
     * Allocates nothing; never blocks.
     */
    public void record(IpAddress source, IpAddress destination, int sourcePort, int destinationPort, int protocol) {
        if (source.family() != destination.family()) {
            return;
        }
        int slot = (int) (cursor.getAndIncrement() & mask);
        long seq = sequence.get(slot);
        if ((seq & 1) != 0 || !sequence.compareAndSet(slot, seq, seq + 1)) {
            return; // another writer holds this slot: drop the sample rather than wait
        }
        int base = slot * LONGS_PER_SLOT;
        data.setPlain(base, source.hi());
        data.setPlain(base + 1, source.lo());
        data.setPlain(base + 2, destination.hi());
        data.setPlain(base + 3, destination.lo());
        data.setPlain(base + 4, pack(source.family(), sourcePort, destinationPort, protocol));
        sequence.setRelease(slot, seq + 2);
    }

    /**
     * The flows recorded, newest first, each once. Slots being written at that moment are skipped, so a snapshot
     * taken under load may miss a few flows; it never contains a flow that was not recorded.
     */
    public List<FlowKey> snapshot() {
        long end = cursor.get();
        int n = mask + 1;
        Set<FlowKey> out = new LinkedHashSet<>();
        for (long i = end - 1; i >= Math.max(0, end - n); i--) {
            int slot = (int) (i & mask);
            long before = sequence.getAcquire(slot);
            if (before == 0 || (before & 1) != 0) {
                continue;
            }
            int base = slot * LONGS_PER_SLOT;
            long sHi = data.getPlain(base);
            long sLo = data.getPlain(base + 1);
            long dHi = data.getPlain(base + 2);
            long dLo = data.getPlain(base + 3);
            long packed = data.getPlain(base + 4);
            VarHandle.acquireFence(); // the reads above happen before the re-read of the sequence
            if (sequence.getPlain(slot) != before) {
                continue;
            }
            out.add(unpack(sHi, sLo, dHi, dLo, packed));
        }
        return new ArrayList<>(out);
    }

    /** Family (bit 40), protocol (bits 32-39), source port (16-31), destination port (0-15). */
    private static long pack(IpFamily family, int sourcePort, int destinationPort, int protocol) {
        return (family == IpFamily.V6 ? 1L << 40 : 0) | (long) (protocol & 0xFF) << 32
                | (long) (sourcePort & 0xFFFF) << 16 | (destinationPort & 0xFFFF);
    }

    private static FlowKey unpack(long sHi, long sLo, long dHi, long dLo, long packed) {
        boolean v6 = (packed >>> 40 & 1) != 0;
        IpAddress s = v6 ? IpAddress.v6(sHi, sLo) : IpAddress.v4((int) sLo);
        IpAddress d = v6 ? IpAddress.v6(dHi, dLo) : IpAddress.v4((int) dLo);
        return new FlowKey(s, d, (int) (packed >>> 16 & 0xFFFF), (int) (packed & 0xFFFF), (int) (packed >>> 32 & 0xFF));
    }
}
