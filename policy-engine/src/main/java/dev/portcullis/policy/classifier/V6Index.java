package dev.portcullis.policy.classifier;

/**
 * The compiled IPv6 boxes: a {@link Forest} over seven dimensions with its leaves packed into one long array.
 * Immutable after construction; every field is final and written only in the constructor.
 *
 * <p>A leaf entry is {@value #STRIDE} longs: {@code priority << 32 | protoLo << 8 | protoHi}, {@code sportLo <<
 * 48 | sportHi << 32 | dportLo << 16 | dportHi}, then {@code [lo, hi]} of srcHi, srcLo, dstHi, dstLo with the sign
 * bit flipped (so a signed compare is an unsigned compare).
 */
final class V6Index {

    static final int STRIDE = 10;

    private final int[] rootRefs;
    private final int[] rootHeaders;
    private final int[] treeMin;
    private final int[] treeMax;
    /** (reference, header) pairs, see {@link CutTreeBuilder}; leaf pairs are (data offset, ~count). */
    private final int[] nodes;
    private final long[] leafData;

    V6Index(BoxSet boxes) {
        Forest forest = Forest.build(boxes);
        int leafCount = forest.leaves().size();
        long total = forest.leafEntries() * STRIDE;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("IPv6 leaves need " + total + " longs, more than an array holds");
        }
        long[] data = new long[(int) total];
        int[] offset = new int[leafCount];
        int at = 0;
        for (int l = 0; l < leafCount; l++) {
            offset[l] = at;
            for (int b : forest.leaves().get(l)) {
                int o = b * boxes.dims;
                long[] lo = boxes.lo;
                long[] hi = boxes.hi;
                data[at] = (long) boxes.priority[b] << 32 | lo[o + 6] << 8 | hi[o + 6];
                data[at + 1] = lo[o + 4] << 48 | hi[o + 4] << 32 | lo[o + 5] << 16 | hi[o + 5];
                for (int d = 0; d < 4; d++) {
                    data[at + 2 + 2 * d] = lo[o + d] ^ Long.MIN_VALUE;
                    data[at + 3 + 2 * d] = hi[o + d] ^ Long.MIN_VALUE;
                }
                at += STRIDE;
            }
        }
        forest.linkLeaves(offset);
        this.rootRefs = forest.rootRefs();
        this.rootHeaders = forest.rootHeaders();
        this.treeMin = forest.treeMin();
        this.treeMax = forest.treeMax();
        this.nodes = forest.nodes();
        this.leafData = data;
    }

    /** The smallest priority greater than {@code after} among boxes matching the header, or -1. */
    int lookup(int after, long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort, int protocol) {
        final int[] nodes = this.nodes;
        final long[] data = this.leafData;
        final long fsh = srcHi ^ Long.MIN_VALUE;
        final long fsl = srcLo ^ Long.MIN_VALUE;
        final long fdh = dstHi ^ Long.MIN_VALUE;
        final long fdl = dstLo ^ Long.MIN_VALUE;
        int best = Integer.MAX_VALUE;
        for (int t = 0; t < rootRefs.length; t++) {
            if (treeMin[t] >= best) {
                break; // trees are in ascending treeMin: none further can do better
            }
            if (treeMax[t] <= after) {
                continue;
            }
            int ref = rootRefs[t];
            int h = rootHeaders[t];
            while (h >= 0) {
                long v = switch (h & 7) {
                    case 0 -> srcHi;
                    case 1 -> srcLo;
                    case 2 -> dstHi;
                    case 3 -> dstLo;
                    case 4 -> srcPort;
                    case 5 -> dstPort;
                    default -> protocol;
                };
                int i = ref + ((int) ((v >>> ((h >>> 3) & 63)) & (h >>> 9)) << 1);
                ref = nodes[i];
                h = nodes[i + 1];
            }
            int end = ref + ~h * STRIDE;
            for (int e = ref; e < end; e += STRIDE) {
                long meta = data[e];
                int p = (int) (meta >>> 32);
                if (p >= best) {
                    break; // entries are in ascending priority
                }
                if (p <= after) {
                    continue;
                }
                long ports = data[e + 1];
                if (fsh >= data[e + 2] && fsh <= data[e + 3]
                        && fsl >= data[e + 4] && fsl <= data[e + 5]
                        && fdh >= data[e + 6] && fdh <= data[e + 7]
                        && fdl >= data[e + 8] && fdl <= data[e + 9]
                        && srcPort >= (int) (ports >>> 48) && srcPort <= (int) (ports >>> 32 & 0xFFFF)
                        && dstPort >= (int) (ports >>> 16 & 0xFFFF) && dstPort <= (int) (ports & 0xFFFF)
                        && protocol >= (int) (meta >>> 8 & 0xFF) && protocol <= (int) (meta & 0xFF)) {
                    best = p;
                    break;
                }
            }
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    long footprintBytes() {
        return Footprint.of(rootRefs) + Footprint.of(rootHeaders) + Footprint.of(treeMin) + Footprint.of(treeMax)
                + Footprint.of(nodes) + Footprint.of(leafData) + Footprint.OBJECT_HEADER + 6 * 4;
    }

    int trees() {
        return rootRefs.length;
    }
}
