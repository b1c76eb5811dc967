package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cutting trees of one address family before their leaves are packed: trees in ascending order of their best
 * (smallest) priority, the shared node array, and the leaves as ascending box-index lists. Build-time only.
 *
 * <p>Partitioning (after CutSplit, Li et al., INFOCOM 2018): a box's source or destination prefix is "small" when
 * it is at least {@link #smallLength} bits long. Boxes go to one of four subsets by (source small, destination
 * small). Inside a subset whose boxes are all small in a field, cuts on that field's top bits replicate nothing,
 * while a few wildcard boxes mixed in would be copied into every child. Like CutSplit, boxes small in both fields
 * join the source-small subset, so there are at most three trees: on fw1_10K that took the trees visited per
 * lookup from 2.88 to 1.96 and the nodes visited from 2.96 to 2.05, at equal leaf entries. Thresholds tried for
 * IPv4: 12 and 16 were alike; 20 and 24 visited more trees (ipc1 2.4 instead of 1.9).
 *
 * @param rootRefs    root reference of each tree
 * @param rootHeaders root header of each tree (negative for a leaf)
 * @param treeMin  smallest priority in each tree, ascending over trees
 * @param treeMax  largest priority in each tree
 * @param nodes    the node array shared by all trees (encoding in {@link CutTreeBuilder})
 * @param leaves   box-index lists; leaf {@code i} is reference {@code ~i}
 */
record Forest(int[] rootRefs, int[] rootHeaders, int[] treeMin, int[] treeMax, int[] nodes, List<int[]> leaves) {

    /** Source or destination prefix length from which a field counts as small, per family. */
    static int smallLength(IpFamily family) {
        return family == IpFamily.V4 ? 16 : 64;
    }

    static Forest build(BoxSet boxes) {
        int small = smallLength(boxes.family);
        List<List<Integer>> groups = new ArrayList<>();
        for (int g = 0; g < 4; g++) {
            groups.add(new ArrayList<>());
        }
        for (int i = 0; i < boxes.size(); i++) {
            int g = (boxes.srcLength[i] >= small ? 2 : 0) + (boxes.dstLength[i] >= small ? 1 : 0);
            if (g == 3) {
                g = 2; // both small: join the source-small tree (see the class comment)
            }
            groups.get(g).add(i);
        }
        CutTreeBuilder builder = new CutTreeBuilder(boxes);
        List<long[]> trees = new ArrayList<>(); // {root pair, min, max}
        for (List<Integer> group : groups) {
            if (group.isEmpty()) {
                continue;
            }
            int[] members = group.stream().mapToInt(Integer::intValue).toArray();
            long root = builder.build(members);
            trees.add(new long[] {root, boxes.priority[members[0]], boxes.priority[members[members.length - 1]]});
        }
        trees.sort((a, b) -> Long.compare(a[1], b[1]));
        int t = trees.size();
        int[] refs = new int[t];
        int[] headers = new int[t];
        int[] min = new int[t];
        int[] max = new int[t];
        for (int i = 0; i < t; i++) {
            refs[i] = (int) (trees.get(i)[0] >>> 32);
            headers[i] = (int) trees.get(i)[0];
            min[i] = (int) trees.get(i)[1];
            max[i] = (int) trees.get(i)[2];
        }
        return new Forest(refs, headers, min, max, builder.nodes(), builder.leaves());
    }

    /**
     * Rewrites every leaf pair (leaf id, -1), in the node array and among the roots, to (offset of the leaf's
     * first entry in the family's data array, {@code ~count}). Called once by the family index while packing.
     */
    void linkLeaves(int[] offset) {
        for (int i = 0; i < nodes.length; i += 2) {
            if (nodes[i + 1] < 0) {
                int id = nodes[i];
                nodes[i] = offset[id];
                nodes[i + 1] = ~leaves.get(id).length;
            }
        }
        for (int t = 0; t < rootRefs.length; t++) {
            if (rootHeaders[t] < 0) {
                int id = rootRefs[t];
                rootRefs[t] = offset[id];
                rootHeaders[t] = ~leaves.get(id).length;
            }
        }
    }

    /** Total leaf entries (boxes counted once per leaf that lists them). */
    long leafEntries() {
        return leaves.stream().mapToLong(l -> l.length).sum();
    }

    @Override
    public String toString() {
        return "Forest[trees=" + rootRefs.length + " mins=" + Arrays.toString(treeMin) + " nodeInts=" + nodes.length
                + " leaves=" + leaves.size() + " leafEntries=" + leafEntries() + "]";
    }
}
