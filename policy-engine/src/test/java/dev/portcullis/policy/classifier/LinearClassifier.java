package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The reference: scans every box in priority order. Obviously correct, and slow. IPv4 lookups use the boxes'
 * bounds copied into arrays, so that checking a 100K-rule set on thousands of flows takes seconds, not minutes.
 */
final class LinearClassifier {

    private final List<ClassifierRule> rules;
    private final int[] v4Priority;
    private final long[] v4Bounds; // per IPv4 rule: srcLo, srcHi, dstLo, dstHi, spLo, spHi, dpLo, dpHi, prLo, prHi

    LinearClassifier(List<ClassifierRule> rules) {
        this.rules = new ArrayList<>(rules);
        this.rules.sort(Comparator.comparingInt(ClassifierRule::priority));
        List<ClassifierRule> v4 = this.rules.stream().filter(r -> r.source().family() == IpFamily.V4).toList();
        v4Priority = new int[v4.size()];
        v4Bounds = new long[v4.size() * 10];
        for (int i = 0; i < v4.size(); i++) {
            ClassifierRule r = v4.get(i);
            v4Priority[i] = r.priority();
            long[] b = {r.source().first().lo(), r.source().last().lo(), r.destination().first().lo(),
                r.destination().last().lo(), r.sourcePorts().lo(), r.sourcePorts().hi(),
                r.destinationPorts().lo(), r.destinationPorts().hi(), r.protocolLo(), r.protocolHi()};
            System.arraycopy(b, 0, v4Bounds, i * 10, 10);
        }
    }

    int lookupAfter(int after, IpAddress src, IpAddress dst, int srcPort, int dstPort, int protocol) {
        for (ClassifierRule r : rules) {
            if (r.priority() > after
                    && r.source().contains(src)
                    && r.destination().contains(dst)
                    && r.sourcePorts().contains(srcPort)
                    && r.destinationPorts().contains(dstPort)
                    && protocol >= r.protocolLo() && protocol <= r.protocolHi()) {
                return r.priority();
            }
        }
        return -1;
    }

    int lookup(IpAddress src, IpAddress dst, int srcPort, int dstPort, int protocol) {
        return lookupAfter(-1, src, dst, srcPort, dstPort, protocol);
    }

    /** Like {@link #lookup} for IPv4, over the copied bounds. */
    int lookupV4(int src, int dst, int srcPort, int dstPort, int protocol) {
        return lookupV4After(-1, src, dst, srcPort, dstPort, protocol);
    }

    /** Like {@link #lookupAfter} for IPv4, over the copied bounds. */
    int lookupV4After(int after, int src, int dst, int srcPort, int dstPort, int protocol) {
        long[] v = {src & 0xFFFF_FFFFL, dst & 0xFFFF_FFFFL, srcPort, dstPort, protocol};
        outer:
        for (int i = 0; i < v4Priority.length; i++) {
            if (v4Priority[i] <= after) {
                continue;
            }
            for (int d = 0; d < 5; d++) {
                if (v[d] < v4Bounds[i * 10 + 2 * d] || v[d] > v4Bounds[i * 10 + 2 * d + 1]) {
                    continue outer;
                }
            }
            return v4Priority[i];
        }
        return -1;
    }
}
