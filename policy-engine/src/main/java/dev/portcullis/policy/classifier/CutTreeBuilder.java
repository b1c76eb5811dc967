package dev.portcullis.policy.classifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds equal-size cutting trees (HiCuts-style, power-of-two aligned cuts) over subsets of one {@link BoxSet},
 * into one shared flat node array and one shared list of leaves. Build-time only, not thread-safe.
 *
 * <p>Encoding: the node array holds only (reference, header) pairs, two ints each. An internal node is a child
 * table of {@code 2^bits} pairs starting at its reference; its header, kept in the pair that points to it (the
 * parent's slot, or the forest's root arrays), is {@code dim | shift << 3 | mask << 9 >= 0} with {@code mask =
 * 2^bits - 1}: the child of a field value {@code v} is pair number {@code (v >>> shift) & mask}. Keeping a node's
 * header beside the reference to it makes a descent step one dependent load instead of two. A leaf pair is (leaf
 * id, -1) as built; the family's index rewrites it to (offset of its first entry, {@code ~count}), so reaching a
 * leaf's entries needs no further load either. (This layout replaced a header-then-child-table one in the same
 * change as other tuning; its effect was not measured in isolation.) Every node's region is an aligned
 * power-of-two block in each dimension, so {@code (v >>> shift) & mask} is the position of {@code v} inside the
 * region, with no subtraction.
 *
 * <p>Invariants: (1) a leaf lists, in ascending order, every box of the tree's subset that intersects the
 * leaf's region; no box is ever dropped, not even one covered by an earlier box, because {@code lookupAfter}
 * must see every matching box. (2) Each cut strictly narrows one dimension, so depth is at most the sum of the
 * domain bits. (3) Leaves with equal box lists are shared (a leaf checks full box bounds, so it is valid in any
 * region); internal nodes are never shared, because their cuts depend on the boxes clipped to their region.
 */
final class CutTreeBuilder {

    // The measurements quoted on these constants were taken while tuning, one constant at a time, with the others
    // as they stood at that step; the counts (nodes, entries per lookup) come from an instrumented copy of the
    // lookup replaying the whole trace.

    /**
     * A node with at most this many boxes becomes a leaf. Measured on the ClassBench 10K sets (entries scanned per
     * lookup, fw1): 8 scans 7.0 entries, 4 scans 4.3, for 37% more leaf entries; 4 was not slower on acl1 or ipc1.
     */
    static final int LEAF_SIZE = 4;
    /**
     * At most 2^MAX_CUT_BITS children per node. Raising it from 8 to 12 cut the nodes visited per lookup on fw1
     * from 4.2 to 3.0; 16 gave no further gain within the space factor.
     */
    static final int MAX_CUT_BITS = 12;
    /**
     * A cut may replicate boxes up to: sum of child box counts + children <= SPACE_FACTOR * boxes (HiCuts'
     * spfac). 8 instead of 4 shortened ipc1 leaf scans but grew its node array 7-fold and was not measurably
     * faster.
     */
    static final int SPACE_FACTOR = 4;
    /**
     * Replication budget of a tree, in slots (leaf entries and child pairs) per box, handed down the tree (see
     * {@link #buildNode}). It bounds memory for rule sets that replicate badly, at the cost of longer leaf scans
     * there. Measured on the widened 100K sets (best-of lookups/s on ipc1_100K, footprint): a single global pool
     * of 64 starved later trees into leaves of thousands (0.96 M/s, 106 MB); handed down, 8 gave 1.4 M/s and 5.5
     * MB, 16 gave 3.0 M/s and 9 MB, 32 gave 4.2 M/s and 13 MB, 64 gave 4.4 M/s and 19 MB, 128 gave 5.3 M/s and
     * 27 MB. The budget binds on the 10K sets too (a share halves with every level that doubles its boxes): ipc1
     * scans 9.2 leaf entries per lookup at 32, 7.9 at 64, 7.4 at 128; 64 was 4-10% faster than 32 there.
     */
    static final int BUDGET_PER_BOX = 64;

    private final BoxSet boxes;
    private final int dims;
    private final IntList nodes = new IntList();
    private final List<int[]> leaves = new ArrayList<>();
    private final Map<LeafKey, Integer> leafIds = new HashMap<>();

    CutTreeBuilder(BoxSet boxes) {
        this.boxes = boxes;
        this.dims = boxes.dims;
    }

    /**
     * Builds a tree over {@code members} (ascending box indices) and returns its root as a (reference, header)
     * pair packed {@code ref << 32 | header}, see {@link #pair}.
     */
    long build(int[] members) {
        long[] base = new long[dims];
        int[] width = boxes.domainBits.clone();
        return buildNode(members, base, width, (long) BUDGET_PER_BOX * members.length + 4096);
    }

    int[] nodes() {
        return nodes.toArray();
    }

    List<int[]> leaves() {
        return leaves;
    }

    /** Packs a (reference, header) pair into a long, reference high. */
    static long pair(int ref, int header) {
        return (long) ref << 32 | (header & 0xFFFF_FFFFL);
    }

    /**
     * Builds the subtree for {@code members} within the region, using at most about {@code budget} slots (leaf
     * entries plus child pairs): a cut that does not fit makes the node a leaf, and the children share what is
     * left in proportion to their box counts. Passing the budget down, rather than drawing on one global pool,
     * keeps a greedy early subtree from starving its siblings into huge leaves.
     */
    private long buildNode(int[] members, long[] base, int[] width, long budget) {
        if (members.length <= LEAF_SIZE) {
            return leaf(members);
        }
        Cut cut = chooseCut(members, base, width);
        if (cut == null || cut.sum + (1L << cut.bits) > budget) {
            return leaf(members);
        }
        int d = cut.dim;
        int shift = width[d] - cut.bits;
        int children = 1 << cut.bits;
        int[] counts = new int[children];
        for (int m : members) {
            int cl = childOf(lower(m, d, base[d]), base[d], shift);
            int ch = childOf(upper(m, d, base[d], width[d]), base[d], shift);
            for (int c = cl; c <= ch; c++) {
                counts[c]++;
            }
        }
        int[][] lists = new int[children][];
        for (int c = 0; c < children; c++) {
            lists[c] = new int[counts[c]];
        }
        int[] fill = new int[children];
        for (int m : members) {
            int cl = childOf(lower(m, d, base[d]), base[d], shift);
            int ch = childOf(upper(m, d, base[d], width[d]), base[d], shift);
            for (int c = cl; c <= ch; c++) {
                lists[c][fill[c]++] = m;
            }
        }
        int at = nodes.reserve(2 * children);
        long share = budget - children;
        int[] childWidth = width.clone();
        childWidth[d] = shift;
        for (int c = 0; c < children; c++) {
            long[] childBase = base.clone();
            childBase[d] = base[d] + ((long) c << shift);
            long child = buildNode(lists[c], childBase, childWidth, share * lists[c].length / cut.sum);
            nodes.set(at + 2 * c, (int) (child >>> 32));
            nodes.set(at + 2 * c + 1, (int) child);
        }
        return pair(at, d | shift << 3 | (children - 1) << 9);
    }

    /** A cut into {@code 2^bits} children along {@code dim}, whose box counts add up to {@code sum}. */
    private record Cut(int dim, int bits, long sum) {
    }

    /**
     * The cut that leaves the fewest boxes in its largest child, among the largest cut per dimension that keeps
     * replication within {@link #SPACE_FACTOR}; ties go to less replication. Null when no cut makes progress.
     */
    private Cut chooseCut(int[] members, long[] base, int[] width) {
        int n = members.length;
        int bestDim = -1;
        int bestBits = 0;
        int bestMax = n;
        long bestSum = Long.MAX_VALUE;
        for (int d = 0; d < dims; d++) {
            int maxBits = Math.min(width[d], MAX_CUT_BITS);
            int dimBits = 0;
            int dimMax = n;
            long dimSum = Long.MAX_VALUE;
            for (int k = 1; k <= maxBits; k++) {
                int shift = width[d] - k;
                int children = 1 << k;
                int[] diff = new int[children + 1];
                long sum = 0;
                for (int m : members) {
                    int cl = childOf(lower(m, d, base[d]), base[d], shift);
                    int ch = childOf(upper(m, d, base[d], width[d]), base[d], shift);
                    diff[cl]++;
                    diff[ch + 1]--;
                    sum += ch - cl + 1;
                }
                if (k > 1 && sum + children > (long) SPACE_FACTOR * n) {
                    break;
                }
                int max = 0;
                int run = 0;
                for (int c = 0; c < children; c++) {
                    run += diff[c];
                    max = Math.max(max, run);
                }
                dimBits = k;
                dimMax = max;
                dimSum = sum;
                if (max <= LEAF_SIZE) {
                    break;
                }
            }
            if (dimBits > 0 && (dimMax < bestMax || (dimMax == bestMax && dimSum < bestSum))) {
                bestDim = d;
                bestBits = dimBits;
                bestMax = dimMax;
                bestSum = dimSum;
            }
        }
        return bestDim < 0 || bestMax >= n ? null : new Cut(bestDim, bestBits, bestSum);
    }

    private static int childOf(long value, long base, int shift) {
        return (int) ((value - base) >>> shift);
    }

    /** The box's lower bound in {@code d} clipped to the region starting at {@code base}. */
    private long lower(int m, int d, long base) {
        long l = boxes.lo[m * dims + d];
        return Long.compareUnsigned(l, base) < 0 ? base : l;
    }

    /** The box's upper bound in {@code d} clipped to the region {@code [base, base + 2^width - 1]}. */
    private long upper(int m, int d, long base, int width) {
        long top = base + (width == 64 ? -1L : (1L << width) - 1);
        long h = boxes.hi[m * dims + d];
        return Long.compareUnsigned(h, top) > 0 ? top : h;
    }

    /** A leaf pair: reference = leaf id, header = -1 (the index rewrites it to data offset and ~count). */
    private long leaf(int[] members) {
        LeafKey key = new LeafKey(members);
        Integer id = leafIds.get(key);
        if (id == null) {
            id = leaves.size();
            leaves.add(members);
            leafIds.put(key, id);
        }
        return pair(id, -1);
    }

    /** An int[] with value equality, to share leaves with equal box lists. */
    private record LeafKey(int[] members) {
        @Override
        public boolean equals(Object o) {
            return o instanceof LeafKey k && Arrays.equals(members, k.members);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(members);
        }
    }
}
