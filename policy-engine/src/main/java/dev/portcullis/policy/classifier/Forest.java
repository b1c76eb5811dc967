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
 * small), and each subset gets its own tree. Inside a subset whose boxes are all small in a field, cuts on that
 * field's top bits replicate nothing, while a few wildcard boxes mixed in would be copied into every child.
 *
 * @param roots    root reference of each tree
 * @param treeMin  smallest priority in each tree, ascending over trees
 * @param treeMax  largest priority in each tree
 * @param nodes    the node array shared by all trees (encoding in {@link CutTreeBuilder})
 * @param leaves   box-index lists; leaf {@code i} is reference {@code ~i}
 */
record Forest(int[] roots, int[] treeMin, int[] treeMax, int[] nodes, List<int[]> leaves) {

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
            groups.get(g).add(i);
        }
        CutTreeBuilder builder = new CutTreeBuilder(boxes);
        List<int[]> trees = new ArrayList<>(); // {root, min, max}
        for (List<Integer> group : groups) {
            if (group.isEmpty()) {
                continue;
            }
            int[] members = group.stream().mapToInt(Integer::intValue).toArray();
            int root = builder.build(members);
            trees.add(new int[] {root, boxes.priority[members[0]], boxes.priority[members[members.length - 1]]});
        }
        trees.sort((a, b) -> Integer.compare(a[1], b[1]));
        int t = trees.size();
        int[] roots = new int[t];
        int[] min = new int[t];
        int[] max = new int[t];
        for (int i = 0; i < t; i++) {
            roots[i] = trees.get(i)[0];
            min[i] = trees.get(i)[1];
            max[i] = trees.get(i)[2];
        }
        return new Forest(roots, min, max, builder.nodes(), builder.leaves());
    }

    /** Total leaf entries (boxes counted once per leaf that lists them). */
    long leafEntries() {
        return leaves.stream().mapToLong(l -> l.length).sum();
    }

    @Override
    public String toString() {
        return "Forest[trees=" + roots.length + " mins=" + Arrays.toString(treeMin) + " nodeInts=" + nodes.length
                + " leaves=" + leaves.size() + " leafEntries=" + leafEntries() + "]";
    }
}
