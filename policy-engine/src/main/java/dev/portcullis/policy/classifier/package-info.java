/**
 * The compiled classifier: first-match lookup of five-tuples against a policy's rules.
 *
 * <h2>What it is</h2>
 *
 * <p>A {@link dev.portcullis.policy.classifier.Classifier} answers, for a packet header (source and destination
 * address, source and destination port, protocol), the smallest priority among the
 * {@link dev.portcullis.policy.classifier.ClassifierRule boxes} that contain the header, or -1. A box is a
 * product of five ranges: two CIDR prefixes of one family, two inclusive port ranges, an inclusive protocol
 * range. Several boxes may share a priority (one policy rule listing several values). {@code lookupV4After} /
 * {@code lookupV6After} answer the smallest matching priority strictly greater than a given one; calling them in
 * a loop enumerates every matching priority in order, which is how shadowed-rule warnings find the earlier rules
 * that contain a rule.
 *
 * <h2>Basic design</h2>
 *
 * <p>A decision-tree classifier after HiCuts (Gupta and McKeown, 1999) with CutSplit's partitioning (Li et al.,
 * INFOCOM 2018), stored in flat primitive arrays:
 *
 * <ul>
 *   <li>Each family's boxes are partitioned by whether the source and the destination prefix are "small" (at
 *       least /16 for IPv4, /64 for IPv6) into at most three subsets: source small; source big and destination
 *       small; both big. One tree per subset. A subset whose boxes are all narrow in a field can be cut on that
 *       field's top bits without copying boxes; mixing in a few wildcards would copy them into every child.</li>
 *   <li>A tree node cuts one dimension of its region into {@code 2^k} equal, aligned parts ({@code k <= 12}).
 *       Dimension and {@code k} are chosen to minimise the largest child, within HiCuts' space factor: the
 *       children's box counts plus the number of children may not exceed 4 times the node's boxes. A node with at
 *       most 4 boxes, or where no cut shrinks the largest child, is a leaf.</li>
 *   <li>Leaves list every box that intersects their region, in priority order, with full bounds.</li>
 * </ul>
 *
 * <p>IPv4 has five dimensions (32, 32, 16, 16, 8 bits). IPv6 has seven: a 128-bit prefix is exactly a range over
 * the high 64 bits times a range over the low 64 bits, so each address is two dimensions and the same builder
 * serves both families. IPv4 has its own lookup loop on ints; IPv6 goes through a general loop on longs.
 *
 * <h2>Lookup</h2>
 *
 * <p>Trees are visited in ascending order of their smallest priority. In each, the header descends from the root:
 * one shift, one mask and one array load per level, because every region is an aligned power-of-two block and so
 * the child index is just bits of the field. Each node's header sits beside the reference to it, in its parent's
 * child table, so a level is one dependent load; a leaf reference carries its data offset and entry count, so
 * reaching the leaf costs no extra load. The leaf is scanned in priority order and the scan stops at the first
 * matching box. The search stops before a tree whose smallest priority is not better than the best found; a tree
 * whose largest priority is at most {@code afterPriority} is skipped. Nothing is allocated: all state is in
 * locals ({@code ClassifierAllocationTest} checks the thread's allocation counter over 800,000 lookups).
 *
 * <p>IPv4 specifics: a node's dimension picks a field through a switch; packing the fields into two longs and
 * picking one with a conditional move was measured no faster (see {@code V4Index}). A leaf entry is 8 ints,
 * ranges stored as low end and width, so each field is one unsigned compare ({@code x - lo <= w}). The tests
 * short-circuit, source address first: a branch-free variant combining them with {@code &} was measured and was
 * slower (mean lookups/s over 5 interleaved runs, branch-free vs short-circuit: acl1 12.0 vs 13.3 M, fw1 16.8
 * vs 20.7 M, ipc1 10.4 vs 10.7 M).
 *
 * <p>Measured on the ClassBench 10K sets (per lookup over the whole trace, with the shipped settings): acl1
 * visits 1.00 trees, 4.2 nodes and scans 5.3 leaf entries; fw1 1.96 trees, 2.0 nodes, 4.5 entries; ipc1 1.47
 * trees, 4.0 nodes, 7.9 entries. Throughput is in {@code docs/performance.md}.
 *
 * <h2>Build</h2>
 *
 * <p>{@code compile} sorts each family's boxes by priority, partitions them, and builds each tree depth-first.
 * Choosing a cut tries, for every dimension, {@code k = 1, 2, ...} until the space factor is exceeded or the
 * largest child fits a leaf; each try is one pass over the node's boxes with a difference array, so a node costs
 * O(boxes x dimensions x 12). Depth is bounded by the sum of the dimensions' bits (104 for IPv4, 296 for IPv6)
 * since every cut narrows one dimension by at least one bit. Measured (JMH average per compile, warm, on shared
 * cores): the 10K sets in 4-47 ms, the widened 100K sets in 66 ms-1.9 s (see {@code docs/performance.md}).
 *
 * <h2>Memory</h2>
 *
 * <p>Cutting copies a box into every child its range spans. Two limits bound that: the per-node space factor, and
 * a per-tree budget of 64 slots (leaf entries plus child pairs) per box, handed down the tree: a cut that does not
 * fit its node's share makes the node a leaf, and the children split what is left in proportion to their box
 * counts. Leaves with equal box lists are stored once. The bound's cost is honest: where the budget runs out,
 * leaves are long and lookups there scan more. Measured: the ClassBench 10K sets take 39-159 bytes per box; the
 * widened 100K sets 46-371 bytes per box (acl1_100K: 36 MB, the largest). A single global budget was tried first
 * and was worse: the first tree used it up and the later trees became leaves of thousands of boxes (ipc1_100K:
 * 0.96 M lookups/s at 106 MB, against 4.4 M/s at 19 MB now).
 * {@link dev.portcullis.policy.classifier.Classifier#footprintBytes()} adds up the arrays' sizes with their
 * headers.
 *
 * <h2>Thread safety</h2>
 *
 * <p>A compiled {@code Classifier} is immutable: every field is final, every array is filled before the
 * constructor returns and never written again, and no array escapes. Any number of threads may call lookups
 * concurrently once the instance is safely published. To change the rules, compile a new instance and swap it
 * through a {@code volatile} field or an {@code AtomicReference}; a lookup in flight finishes on the instance it
 * started with. Builders ({@code CutTreeBuilder}, {@code BoxSet}, {@code Forest}) are confined to the compiling
 * thread.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>For every header, {@code lookup} equals a linear scan's smallest matching priority, and
 *       {@code lookupAfter(p)} equals the scan's smallest matching priority above {@code p} (tested with jqwik
 *       against a linear reference, and on every line of the six ClassBench traces).</li>
 *   <li>A leaf lists, in ascending priority, every box of its tree's subset that intersects its region. No box is
 *       dropped as covered by an earlier one, because {@code lookupAfter} must still find it.</li>
 *   <li>A node's region is an aligned power-of-two block in every dimension; {@code (v >>> shift) & mask} is the
 *       child of a value {@code v} inside it.</li>
 *   <li>Trees are ordered by ascending smallest priority, which makes the early stop sound.</li>
 * </ul>
 *
 * <h2>Trade-offs</h2>
 *
 * <ul>
 *   <li>Not removing covered boxes keeps {@code lookupAfter} exact but leaves clusters of overlapping boxes that
 *       no cut can split (up to 71 boxes in an ipc1 leaf); first-match lookups stop early in them,
 *       {@code lookupAfter} chains scan them.</li>
 *   <li>Equal-size cuts adapt poorly to clustered addresses (acl1 needs about 5 levels); CutSplit switches to
 *       HyperSplit's range splits deep in the tree, which this implementation does not do.</li>
 *   <li>There is no incremental update: a change recompiles, which is cheap at policy sizes (milliseconds for a
 *       few thousand boxes).</li>
 *   <li>The constants (leaf 4, cut 12 bits, space factor 4, budget 64, IPv4 small at /16) were tuned on ClassBench;
 *       the reasons and measurements are on the constants. Throughput on this shared 2-core machine varies by
 *       about 20% between runs, so small effects were judged by the per-lookup counts above rather than by
 *       time.</li>
 * </ul>
 */
package dev.portcullis.policy.classifier;
