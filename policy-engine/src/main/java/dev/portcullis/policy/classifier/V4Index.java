package dev.portcullis.policy.classifier;

/**
 * The compiled IPv4 boxes: a {@link Forest} with its leaves packed into one int array. Immutable after
 * construction; every field is final and written only in the constructor, so instances are safe to share
 * between threads once published.
 *
 * <p>A leaf entry is {@value #STRIDE} ints: {@code priority, srcLo, srcHi, dstLo, dstHi, sport, dport, proto}.
 * Address bounds are stored with the sign bit flipped so that a signed compare of a flipped address is an
 * unsigned compare. Ports are {@code lo << 16 | hi}; protocol is {@code lo << 8 | hi}.
 */
final class V4Index {

    static final int STRIDE = 8;

    private final int[] roots;
    private final int[] treeMin;
    private final int[] treeMax;
    private final int[] nodes;
    /** Leaf {@code i} occupies {@code leafData[leafStart[i] .. leafStart[i + 1])}. */
    private final int[] leafStart;
    private final int[] leafData;

    V4Index(BoxSet boxes) {
        Forest forest = Forest.build(boxes);
        this.roots = forest.roots();
        this.treeMin = forest.treeMin();
        this.treeMax = forest.treeMax();
        this.nodes = forest.nodes();
        int leafCount = forest.leaves().size();
        this.leafStart = new int[leafCount + 1];
        long total = forest.leafEntries() * STRIDE;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("IPv4 leaves need " + total + " ints, more than an array holds");
        }
        this.leafData = new int[(int) total];
        int at = 0;
        for (int l = 0; l < leafCount; l++) {
            leafStart[l] = at;
            for (int b : forest.leaves().get(l)) {
                int o = b * boxes.dims;
                leafData[at] = boxes.priority[b];
                leafData[at + 1] = (int) boxes.lo[o] ^ Integer.MIN_VALUE;
                leafData[at + 2] = (int) boxes.hi[o] ^ Integer.MIN_VALUE;
                leafData[at + 3] = (int) boxes.lo[o + 1] ^ Integer.MIN_VALUE;
                leafData[at + 4] = (int) boxes.hi[o + 1] ^ Integer.MIN_VALUE;
                leafData[at + 5] = (int) (boxes.lo[o + 2] << 16 | boxes.hi[o + 2]);
                leafData[at + 6] = (int) (boxes.lo[o + 3] << 16 | boxes.hi[o + 3]);
                leafData[at + 7] = (int) (boxes.lo[o + 4] << 8 | boxes.hi[o + 4]);
                at += STRIDE;
            }
        }
        leafStart[leafCount] = at;
    }

    /** The smallest priority greater than {@code after} among boxes matching the header, or -1. */
    int lookup(int after, int src, int dst, int srcPort, int dstPort, int protocol) {
        final int[] nodes = this.nodes;
        final int[] data = this.leafData;
        final int fs = src ^ Integer.MIN_VALUE;
        final int fd = dst ^ Integer.MIN_VALUE;
        int best = Integer.MAX_VALUE;
        for (int t = 0; t < roots.length; t++) {
            if (treeMin[t] >= best) {
                break; // trees are in ascending treeMin: none further can do better
            }
            if (treeMax[t] <= after) {
                continue;
            }
            int ref = roots[t];
            while (ref >= 0) {
                int h = nodes[ref];
                int v = switch (h & 7) {
                    case 0 -> src;
                    case 1 -> dst;
                    case 2 -> srcPort;
                    case 3 -> dstPort;
                    default -> protocol;
                };
                ref = nodes[ref + 1 + ((v >>> ((h >>> 3) & 63)) & (h >>> 9))];
            }
            int end = leafStart[~ref + 1];
            for (int e = leafStart[~ref]; e < end; e += STRIDE) {
                int p = data[e];
                if (p >= best) {
                    break; // entries are in ascending priority
                }
                if (p > after
                        && fs >= data[e + 1] && fs <= data[e + 2]
                        && fd >= data[e + 3] && fd <= data[e + 4]
                        && srcPort >= data[e + 5] >>> 16 && srcPort <= (data[e + 5] & 0xFFFF)
                        && dstPort >= data[e + 6] >>> 16 && dstPort <= (data[e + 6] & 0xFFFF)
                        && protocol >= data[e + 7] >>> 8 && protocol <= (data[e + 7] & 0xFF)) {
                    best = p;
                    break;
                }
            }
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    long footprintBytes() {
        return Footprint.of(roots) + Footprint.of(treeMin) + Footprint.of(treeMax) + Footprint.of(nodes)
                + Footprint.of(leafStart) + Footprint.of(leafData) + Footprint.OBJECT_HEADER + 6 * 4;
    }

    int trees() {
        return roots.length;
    }
}
