package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes a larger IPv4 rule set from a ClassBench one, deterministically: every rule is followed by {@code factor -
 * 1} perturbed copies of itself, and priorities are renumbered in the new order. A copy flips one bit in the lower
 * half of the source or destination prefix (or both), keeping its length, and moves an exact port to another
 * value, so copies land near their original as real rule sets cluster. The original trace stays a realistic
 * lookup load, but its MATCH column no longer holds: check the result against a linear scan instead.
 */
public final class ClassBenchWidener {

    private ClassBenchWidener() {
    }

    /** {@code rules} widened {@code factor} times with the given seed; all rules must be IPv4. */
    public static List<ClassifierRule> widen(List<ClassifierRule> rules, int factor, long seed) {
        if (factor < 1) {
            throw new IllegalArgumentException("factor " + factor + " is less than 1");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<ClassifierRule> sorted = new ArrayList<>(rules);
        sorted.sort((a, b) -> Integer.compare(a.priority(), b.priority()));
        List<ClassifierRule> out = new ArrayList<>(rules.size() * factor);
        for (ClassifierRule r : sorted) {
            if (r.source().family() != IpFamily.V4) {
                throw new IllegalArgumentException("rule " + r + " is not IPv4");
            }
            out.add(withPriority(r, out.size()));
            for (int c = 1; c < factor; c++) {
                int which = random.nextInt(3); // 0: source, 1: destination, 2: both
                IpPrefix src = which != 1 ? flipLowerHalfBit(r.source(), random) : r.source();
                IpPrefix dst = which != 0 ? flipLowerHalfBit(r.destination(), random) : r.destination();
                out.add(new ClassifierRule(out.size(), src, dst, movePort(r.sourcePorts(), random),
                        movePort(r.destinationPorts(), random), r.protocolLo(), r.protocolHi()));
            }
        }
        return out;
    }

    private static ClassifierRule withPriority(ClassifierRule r, int priority) {
        return new ClassifierRule(priority, r.source(), r.destination(), r.sourcePorts(), r.destinationPorts(),
                r.protocolLo(), r.protocolHi());
    }

    private static IpPrefix flipLowerHalfBit(IpPrefix p, SplittableRandom random) {
        int len = p.length();
        if (len < 2) {
            return p;
        }
        int bit = len / 2 + random.nextInt(len - len / 2); // 0 = most significant
        long flipped = p.lo() ^ (1L << (31 - bit));
        return IpPrefix.of(IpAddress.v4((int) flipped), len);
    }

    private static PortRange movePort(PortRange ports, SplittableRandom random) {
        return ports.lo() == ports.hi() ? PortRange.of(random.nextInt(65536)) : ports;
    }
}
