package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The reference: scans every box in priority order. Obviously correct, and slow. */
final class LinearClassifier {

    private final List<ClassifierRule> rules;

    LinearClassifier(List<ClassifierRule> rules) {
        this.rules = new ArrayList<>(rules);
        this.rules.sort(Comparator.comparingInt(ClassifierRule::priority));
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

    int lookupV4(int src, int dst, int srcPort, int dstPort, int protocol) {
        return lookup(IpAddress.v4(src), IpAddress.v4(dst), srcPort, dstPort, protocol);
    }
}
