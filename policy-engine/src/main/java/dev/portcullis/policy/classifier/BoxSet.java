package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.IpPrefix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The boxes of one address family as inclusive unsigned {@code [lo, hi]} bounds per dimension, sorted by priority.
 * Build-time only; never reachable from a compiled {@link Classifier}.
 *
 * <p>Dimensions: IPv4 is {@code src, dst, sport, dport, proto} (32, 32, 16, 16, 8 bits). IPv6 is {@code srcHi,
 * srcLo, dstHi, dstLo, sport, dport, proto} (64, 64, 64, 64, 16, 16, 8 bits): a 128-bit prefix is exactly the
 * product of a range over the high half and a range over the low half, because a prefix of 64 bits or fewer leaves
 * the low half wholly free and a longer one fixes the high half.
 *
 * <p>Invariant: box {@code i} has priority {@code priority[i]} and {@code priority} is non-decreasing, so a list of
 * box indices in ascending order is also in priority order.
 */
final class BoxSet {

    static final int[] V4_BITS = {32, 32, 16, 16, 8};
    static final int[] V6_BITS = {64, 64, 64, 64, 16, 16, 8};

    final IpFamily family;
    final int dims;
    final int[] domainBits;
    /** Lower bounds, {@code lo[box * dims + dim]}, unsigned. */
    final long[] lo;
    /** Upper bounds, {@code hi[box * dims + dim]}, unsigned. */
    final long[] hi;
    final int[] priority;
    /** Prefix lengths of source and destination, used to partition the boxes. */
    final int[] srcLength;
    final int[] dstLength;

    private BoxSet(IpFamily family, int count) {
        this.family = family;
        this.domainBits = family == IpFamily.V4 ? V4_BITS : V6_BITS;
        this.dims = domainBits.length;
        this.lo = new long[count * dims];
        this.hi = new long[count * dims];
        this.priority = new int[count];
        this.srcLength = new int[count];
        this.dstLength = new int[count];
    }

    /** The boxes of {@code family} among {@code rules}, sorted by priority (stable for equal priorities). */
    static BoxSet of(IpFamily family, List<ClassifierRule> rules) {
        List<ClassifierRule> mine = new ArrayList<>();
        for (ClassifierRule r : rules) {
            if (r.source().family() == family) {
                mine.add(r);
            }
        }
        mine.sort(Comparator.comparingInt(ClassifierRule::priority));
        BoxSet set = new BoxSet(family, mine.size());
        for (int i = 0; i < mine.size(); i++) {
            set.put(i, mine.get(i));
        }
        return set;
    }

    private void put(int i, ClassifierRule r) {
        priority[i] = r.priority();
        srcLength[i] = r.source().length();
        dstLength[i] = r.destination().length();
        int d = 0;
        if (family == IpFamily.V4) {
            d = putV4Prefix(i, d, r.source());
            d = putV4Prefix(i, d, r.destination());
        } else {
            d = putV6Prefix(i, d, r.source());
            d = putV6Prefix(i, d, r.destination());
        }
        d = set(i, d, r.sourcePorts().lo(), r.sourcePorts().hi());
        d = set(i, d, r.destinationPorts().lo(), r.destinationPorts().hi());
        set(i, d, r.protocolLo(), r.protocolHi());
    }

    private int putV4Prefix(int i, int d, IpPrefix p) {
        return set(i, d, p.first().lo(), p.last().lo());
    }

    private int putV6Prefix(int i, int d, IpPrefix p) {
        // first.hi..last.hi x first.lo..last.lo is exactly the prefix (see the class comment).
        d = set(i, d, p.first().hi(), p.last().hi());
        return set(i, d, p.first().lo(), p.last().lo());
    }

    private int set(int i, int d, long l, long h) {
        lo[i * dims + d] = l;
        hi[i * dims + d] = h;
        return d + 1;
    }

    int size() {
        return priority.length;
    }
}
