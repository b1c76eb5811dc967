package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpFamily;
import java.util.List;
import java.util.Objects;

/**
 * A compiled five-tuple classifier: given a packet header, the smallest priority among the boxes that match it.
 * See the package documentation for the design. Immutable: all fields are final, written once in the constructor
 * and never exposed, so an instance may be shared by any number of threads once safely published (for example
 * through a {@code volatile} field or an {@code AtomicReference}). Lookups do not allocate.
 */
public final class Classifier {

    private final V4Index v4;
    private final V6Index v6;
    private final int boxCount;

    private Classifier(V4Index v4, V6Index v6, int boxCount) {
        this.v4 = v4;
        this.v6 = v6;
        this.boxCount = boxCount;
    }

    /**
     * Compiles {@code rules} (in any order; priorities decide) into a classifier. IPv4 and IPv6 boxes may be
     * mixed; each family gets its own structure.
     *
     * @throws NullPointerException when {@code rules} or one of its elements is null
     */
    public static Classifier compile(List<ClassifierRule> rules) {
        Objects.requireNonNull(rules, "rules");
        for (int i = 0; i < rules.size(); i++) {
            Objects.requireNonNull(rules.get(i), () -> "rules contains null");
        }
        return new Classifier(new V4Index(BoxSet.of(IpFamily.V4, rules)),
                new V6Index(BoxSet.of(IpFamily.V6, rules)), rules.size());
    }

    /**
     * The smallest priority among IPv4 boxes matching the header, or -1 when none does. {@code src} and {@code
     * dst} carry the 32 address bits; ports are 0-65535 and protocol 0-255 (other values match nothing useful).
     */
    public int lookupV4(int src, int dst, int srcPort, int dstPort, int protocol) {
        return v4.lookup(-1, src, dst, srcPort, dstPort, protocol);
    }

    /** The smallest priority greater than {@code afterPriority} among IPv4 boxes matching the header, or -1. */
    public int lookupV4After(int afterPriority, int src, int dst, int srcPort, int dstPort, int protocol) {
        return v4.lookup(afterPriority, src, dst, srcPort, dstPort, protocol);
    }

    /** The smallest priority among IPv6 boxes matching the header, or -1 when none does. */
    public int lookupV6(long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort, int protocol) {
        return v6.lookup(-1, srcHi, srcLo, dstHi, dstLo, srcPort, dstPort, protocol);
    }

    /** The smallest priority greater than {@code afterPriority} among IPv6 boxes matching the header, or -1. */
    public int lookupV6After(int afterPriority, long srcHi, long srcLo, long dstHi, long dstLo, int srcPort,
            int dstPort, int protocol) {
        return v6.lookup(afterPriority, srcHi, srcLo, dstHi, dstLo, srcPort, dstPort, protocol);
    }

    /** The number of boxes compiled (both families). */
    public int boxCount() {
        return boxCount;
    }

    /**
     * An estimate of the heap that the compiled arrays take, in bytes: array headers and elements of every
     * array reachable from this instance, assuming a 64-bit JVM with compressed class pointers.
     */
    public long footprintBytes() {
        return Footprint.OBJECT_HEADER + 12 + v4.footprintBytes() + v6.footprintBytes();
    }

    @Override
    public String toString() {
        return "Classifier[boxes=" + boxCount + ", v4Trees=" + v4.trees() + ", v6Trees=" + v6.trees()
                + ", footprintBytes=" + footprintBytes() + "]";
    }
}
