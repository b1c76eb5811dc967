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
 * <p>Encoding of a reference {@code ref}: {@code ref >= 0} is an internal node whose header is {@code
 * nodes[ref]} and whose child references are {@code nodes[ref + 1 .. ref + 2^bits]}; {@code ref < 0} is leaf
 * {@code ~ref}. A header is {@code dim | shift << 3 | mask << 9} with {@code mask = 2^bits - 1}: the child of a
 * value {@code v} is {@code (v >>> shift) & mask}. Every node's region is an aligned power-of-two block in each
 * dimension, so that expression is the position of {@code v} inside the region, with no subtraction.
 *
 * <p>Invariants: (1) a leaf lists, in ascending order, every box of the tree's subset that intersects the
 * leaf's region; no box is ever dropped, not even one covered by an earlier box, because {@code lookupAfter}
 * must see every matching box. (2) Each cut strictly narrows one dimension, so depth is at most the sum of the
 * domain bits. (3) Leaves with equal box lists are shared (a leaf checks full box bounds, so it is valid in any
 * region); internal nodes are never shared, because their cuts depend on the boxes clipped to their region.
 */
final class CutTreeBuilder {

    /** A node with at most this many boxes becomes a leaf. */
    static final int LEAF_SIZE = 8;
    /** At most 2^MAX_CUT_BITS children per node, so a child table stays within a few cache lines. */
    static final int MAX_CUT_BITS = 8;
    /** A cut may replicate boxes up to: sum of child box counts + children <= SPACE_FACTOR * boxes. */
    static final int SPACE_FACTOR = 4;
    /**
     * Global replication budget, in leaf entries per box of the family; past it every new node is a leaf. This
     * bounds memory for adversarial rule sets at the cost of longer leaf scans there.
     */
    static final int BUDGET_PER_BOX = 64;

    private final BoxSet boxes;
    private final int dims;
    private final IntList nodes = new IntList();
    private final List<int[]> leaves = new ArrayList<>();
    private final Map<LeafKey, Integer> leafIds = new HashMap<>();
    private final long budget;
    private long entries;

    CutTreeBuilder(BoxSet boxes) {
        this.boxes = boxes;
        this.dims = boxes.dims;
        this.budget = (long) BUDGET_PER_BOX * boxes.size() + 4096;
    }

    /** Builds a tree over {@code members} (ascending box indices) and returns its root reference. */
    int build(int[] members) {
        long[] base = new long[dims];
        int[] width = boxes.domainBits.clone();
        return buildNode(members, base, width);
    }

    int[] nodes() {
        return nodes.toArray();
    }

    List<int[]> leaves() {
        return leaves;
    }

    private int buildNode(int[] members, long[] base, int[] width) {
        if (members.length <= LEAF_SIZE || entries >= budget) {
            return leaf(members);
        }
        Cut cut = chooseCut(members, base, width);
        if (cut == null) {
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
        int at = nodes.reserve(1 + children);
        nodes.set(at, d | shift << 3 | (children - 1) << 9);
        entries += 1 + children;
        int[] childWidth = width.clone();
        childWidth[d] = shift;
        for (int c = 0; c < children; c++) {
            long[] childBase = base.clone();
            childBase[d] = base[d] + ((long) c << shift);
            nodes.set(at + 1 + c, buildNode(lists[c], childBase, childWidth));
        }
        return at;
    }

    private record Cut(int dim, int bits) {
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
        return bestDim < 0 || bestMax >= n ? null : new Cut(bestDim, bestBits);
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

    private int leaf(int[] members) {
        LeafKey key = new LeafKey(members);
        Integer id = leafIds.get(key);
        if (id == null) {
            id = leaves.size();
            leaves.add(members);
            leafIds.put(key, id);
            entries += members.length;
        }
        return ~id;
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
