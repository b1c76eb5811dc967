package dev.portcullis.mgmt.config;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.policy.PolicyBoxes;
import dev.portcullis.policy.PortRange;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Which flows a candidate policy decides differently from the running one: other action, or other deciding rule
 * (rules are told apart by name, which a commit keeps, not by number, which an insertion shifts).
 *
 * <pre>{@code
 * VerdictDiffReport r = VerdictDiff.compare(running, candidate, plane.recentFlows().snapshot());
 * System.out.print(r.format());
 * }</pre>
 *
 * <h2>Flows from the rules' own corners</h2>
 * Every rule is a union of boxes in the five-tuple space ({@link PolicyBoxes}). Along each dimension, the lower
 * bounds and one-past-upper bounds of all boxes of both policies cut the axis into intervals on which no box
 * begins or ends; the product of those intervals is a grid of cells, and a cell lies wholly inside or wholly
 * outside every box, so both policies decide all of its flows alike. Trying one flow per cell (its lowest corner)
 * therefore finds every change of verdict there is. When the grid is small enough (at most {@value #GRID_BUDGET}
 * cells: policies of up to a few dozen rules) that is what is done, and the report says it is exhaustive. Larger
 * policies get samples instead: every box's corners, and the lowest and highest points of the intersection of
 * boxes of different rules (where reordering and shadowing changes show), up to {@value #SAMPLE_BUDGET} flows.
 * Sampling can miss a change that shows only inside several overlapping boxes; the report says it sampled.
 *
 * <p>The protocol axis is also cut at TCP, UDP and SCTP, so each cell either has ports or has none; a cell without
 * ports is tried with ports 0, as the data plane sees such flows. A cell is represented by TCP, UDP, SCTP, ICMP or
 * ICMPv6 when it holds one of them, else by its lowest protocol number.
 *
 * <h2>Recent real flows</h2>
 * The flows the data plane decided last (see {@code RecentFlows}) are classified too, and those that would change
 * are listed: the most telling answer to "what will this commit do to my traffic?".
 *
 * <p>Stateless entry point; one instance per comparison, confined to the calling thread.
 */
public final class VerdictDiff {

    /** Most recent flows listed in a report. */
    public static final int MAX_LISTED = 100;
    /** Largest grid tried exhaustively; about two lookups per cell, well under a second. */
    static final long GRID_BUDGET = 500_000;
    /** Most flows sampled when the grid is larger. */
    static final int SAMPLE_BUDGET = 100_000;
    /** Most box pairs looked at for intersection points. */
    private static final long PAIR_BUDGET = 4_000_000;

    /** Protocols preferred as a cell's representative, in this order. */
    private static final int[] PREFERRED = {IpProtocols.TCP, IpProtocols.UDP, IpProtocols.SCTP, IpProtocols.ICMP,
            IpProtocols.ICMPV6};

    private final CompiledPolicy before;
    private final CompiledPolicy after;
    private final List<ClassifierRule> boxes = new ArrayList<>();
    /** Which policy (0 before, 1 after) each box comes from. */
    private final List<Integer> boxPolicy = new ArrayList<>();
    private final int[] protocolCells;
    private final Map<Long, Transition> transitions = new LinkedHashMap<>();
    private long sampled;

    private static final class Transition {
        long count;
        final VerdictChange example;

        Transition(VerdictChange example) {
            this.example = example;
        }
    }

    private VerdictDiff(CompiledPolicy before, CompiledPolicy after) {
        this.before = before;
        this.after = after;
        for (Rule r : before.policy().rules()) {
            for (ClassifierRule b : PolicyBoxes.expand(r)) {
                boxes.add(b);
                boxPolicy.add(0);
            }
        }
        for (Rule r : after.policy().rules()) {
            for (ClassifierRule b : PolicyBoxes.expand(r)) {
                boxes.add(b);
                boxPolicy.add(1);
            }
        }
        this.protocolCells = protocolCells();
    }

    /** Compares two policies on the rules' corners and on {@code recent} real flows. */
    public static VerdictDiffReport compare(CompiledPolicy before, CompiledPolicy after, List<FlowKey> recent) {
        return compare(before, after, recent, GRID_BUDGET, SAMPLE_BUDGET);
    }

    static VerdictDiffReport compare(CompiledPolicy before, CompiledPolicy after, List<FlowKey> recent,
                                     long gridBudget, int sampleBudget) {
        Objects.requireNonNull(recent, "recent");
        VerdictDiff d = new VerdictDiff(before, after);
        boolean exhaustive = d.gridSize() <= gridBudget;
        if (exhaustive) {
            d.grid();
        } else {
            for (FlowKey f : d.samples(sampleBudget)) {
                d.classify(f);
            }
        }
        List<VerdictChange> listed = new ArrayList<>();
        int changed = 0;
        for (FlowKey f : recent) {
            int a = before.match(f);
            int b = after.match(f);
            if (d.differs(a, b)) {
                changed++;
                if (listed.size() < MAX_LISTED) {
                    listed.add(d.change(f, a, b));
                }
            }
        }
        List<VerdictTransition> ts = d.transitions.values().stream()
                .sorted(Comparator.comparingLong((Transition t) -> -t.count))
                .map(t -> new VerdictTransition(VerdictChange.label(t.example.before()),
                        VerdictChange.label(t.example.after()), t.count, t.example))
                .toList();
        return new VerdictDiffReport(exhaustive, d.sampled, ts, recent.size(), listed, changed);
    }

    // ---- verdicts ----

    private boolean differs(int a, int b) {
        return before.action(a) != after.action(b) || !Objects.equals(name(before, a), name(after, b));
    }

    private static String name(CompiledPolicy p, int index) {
        return index < 0 ? null : p.policy().rules().get(index).name();
    }

    private VerdictChange change(FlowKey f, int a, int b) {
        return new VerdictChange(f, verdict(before, a), verdict(after, b));
    }

    private static dev.portcullis.policy.Verdict verdict(CompiledPolicy p, int index) {
        Action action = p.action(index);
        return new dev.portcullis.policy.Verdict(action, index < 0 ? Optional.empty()
                : Optional.of(p.policy().rules().get(index)));
    }

    /** Counts one classified flow; builds the flow only when it is the first example of a change. */
    private void record(int a, int b, Supplier<FlowKey> flow) {
        sampled++;
        if (!differs(a, b)) {
            return;
        }
        long key = ((long) (a + 1) << 32) | (b + 1);
        Transition t = transitions.get(key);
        if (t == null) {
            t = new Transition(change(flow.get(), a, b));
            transitions.put(key, t);
        }
        t.count++;
    }

    private void classify(FlowKey f) {
        record(before.match(f), after.match(f), () -> f);
    }

    // ---- the grid ----

    /** The protocol cells' representatives, ascending by cell. */
    private int[] protocolCells() {
        TreeSet<Integer> cuts = new TreeSet<>(List.of(0, IpProtocols.TCP, IpProtocols.TCP + 1, IpProtocols.UDP,
                IpProtocols.UDP + 1, IpProtocols.SCTP, IpProtocols.SCTP + 1));
        for (ClassifierRule b : boxes) {
            cuts.add(b.protocolLo());
            if (b.protocolHi() < 255) {
                cuts.add(b.protocolHi() + 1);
            }
        }
        List<Integer> starts = new ArrayList<>(cuts);
        int[] reps = new int[starts.size()];
        for (int i = 0; i < starts.size(); i++) {
            int lo = starts.get(i);
            int hi = i + 1 < starts.size() ? starts.get(i + 1) - 1 : 255;
            reps[i] = lo;
            for (int p : PREFERRED) {
                if (p >= lo && p <= hi) {
                    reps[i] = p;
                    break;
                }
            }
        }
        return reps;
    }

    private List<IpAddress> addressCuts(IpFamily family, boolean source) {
        TreeSet<IpAddress> cuts = new TreeSet<>();
        cuts.add(IpPrefix.any(family).first());
        for (ClassifierRule b : boxes) {
            IpPrefix p = source ? b.source() : b.destination();
            if (p.family() == family) {
                cuts.add(p.first());
                next(p.last()).ifPresent(cuts::add);
            }
        }
        return new ArrayList<>(cuts);
    }

    private int[] portCuts(boolean source) {
        TreeSet<Integer> cuts = new TreeSet<>(List.of(0));
        for (ClassifierRule b : boxes) {
            PortRange r = source ? b.sourcePorts() : b.destinationPorts();
            cuts.add(r.lo());
            if (r.hi() < 65535) {
                cuts.add(r.hi() + 1);
            }
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The address after {@code a}, if any. */
    private static Optional<IpAddress> next(IpAddress a) {
        if (a.family() == IpFamily.V4) {
            return a.lo() == 0xFFFF_FFFFL ? Optional.empty() : Optional.of(IpAddress.v4((int) (a.lo() + 1)));
        }
        if (a.lo() != -1L) {
            return Optional.of(IpAddress.v6(a.hi(), a.lo() + 1));
        }
        return a.hi() == -1L ? Optional.empty() : Optional.of(IpAddress.v6(a.hi() + 1, 0));
    }

    private long gridSize() {
        long ports = portCuts(true).length * (long) portCuts(false).length;
        long perPair = 0;
        for (int p : protocolCells) {
            perPair += IpProtocols.hasPorts(p) ? ports : 1;
        }
        long total = 0;
        for (IpFamily f : IpFamily.values()) {
            total += addressCuts(f, true).size() * (long) addressCuts(f, false).size() * perPair;
            if (total > Long.MAX_VALUE / 4) {
                return Long.MAX_VALUE;
            }
        }
        return total;
    }

    /** One flow per grid cell. */
    private void grid() {
        int[] sports = portCuts(true);
        int[] dports = portCuts(false);
        for (IpFamily f : IpFamily.values()) {
            List<IpAddress> sources = addressCuts(f, true);
            List<IpAddress> destinations = addressCuts(f, false);
            for (IpAddress s : sources) {
                for (IpAddress d : destinations) {
                    for (int p : protocolCells) {
                        if (!IpProtocols.hasPorts(p)) {
                            lookup(s, d, 0, 0, p);
                            continue;
                        }
                        for (int sp : sports) {
                            for (int dp : dports) {
                                lookup(s, d, sp, dp, p);
                            }
                        }
                    }
                }
            }
        }
    }

    private void lookup(IpAddress s, IpAddress d, int sp, int dp, int p) {
        int a;
        int b;
        if (s.family() == IpFamily.V4) {
            a = before.matchV4(s.v4Bits(), d.v4Bits(), sp, dp, p);
            b = after.matchV4(s.v4Bits(), d.v4Bits(), sp, dp, p);
        } else {
            a = before.matchV6(s.hi(), s.lo(), d.hi(), d.lo(), sp, dp, p);
            b = after.matchV6(s.hi(), s.lo(), d.hi(), d.lo(), sp, dp, p);
        }
        record(a, b, () -> new FlowKey(s, d, sp, dp, p));
    }

    // ---- samples, when the grid is too large ----

    /** Box corners, then intersection corners of boxes of different rules, at most {@code budget} flows. */
    Set<FlowKey> samples(int budget) {
        Set<FlowKey> out = new LinkedHashSet<>();
        for (ClassifierRule b : boxes) {
            for (int p : protocols(b.protocolLo(), b.protocolHi())) {
                for (IpAddress s : List.of(b.source().first(), b.source().last())) {
                    for (IpAddress d : List.of(b.destination().first(), b.destination().last())) {
                        corners(out, s, d, b.sourcePorts(), b.destinationPorts(), p, budget);
                    }
                }
            }
            if (out.size() >= budget) {
                return out;
            }
        }
        long pairs = 0;
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                if (++pairs > PAIR_BUDGET || out.size() >= budget) {
                    return out;
                }
                ClassifierRule a = boxes.get(i);
                ClassifierRule b = boxes.get(j);
                if (a.priority() == b.priority() && boxPolicy.get(i).equals(boxPolicy.get(j))) {
                    continue; // two boxes of one rule
                }
                intersectionCorners(out, a, b, budget);
            }
        }
        return out;
    }

    private void intersectionCorners(Set<FlowKey> out, ClassifierRule a, ClassifierRule b, int budget) {
        if (a.source().family() != b.source().family() || !a.source().overlaps(b.source())
                || !a.destination().overlaps(b.destination())) {
            return;
        }
        int spLo = Math.max(a.sourcePorts().lo(), b.sourcePorts().lo());
        int spHi = Math.min(a.sourcePorts().hi(), b.sourcePorts().hi());
        int dpLo = Math.max(a.destinationPorts().lo(), b.destinationPorts().lo());
        int dpHi = Math.min(a.destinationPorts().hi(), b.destinationPorts().hi());
        int prLo = Math.max(a.protocolLo(), b.protocolLo());
        int prHi = Math.min(a.protocolHi(), b.protocolHi());
        if (spLo > spHi || dpLo > dpHi || prLo > prHi) {
            return;
        }
        IpPrefix s = a.source().length() >= b.source().length() ? a.source() : b.source();
        IpPrefix d = a.destination().length() >= b.destination().length() ? a.destination() : b.destination();
        for (int p : protocols(prLo, prHi)) {
            add(out, s.first(), d.first(), spLo, dpLo, p, budget);
            add(out, s.last(), d.last(), spHi, dpHi, p, budget);
        }
    }

    private void corners(Set<FlowKey> out, IpAddress s, IpAddress d, PortRange sp, PortRange dp, int p, int budget) {
        add(out, s, d, sp.lo(), dp.lo(), p, budget);
        add(out, s, d, sp.lo(), dp.hi(), p, budget);
        add(out, s, d, sp.hi(), dp.lo(), p, budget);
        add(out, s, d, sp.hi(), dp.hi(), p, budget);
    }

    private static void add(Set<FlowKey> out, IpAddress s, IpAddress d, int sp, int dp, int p, int budget) {
        if (out.size() < budget) {
            boolean ports = IpProtocols.hasPorts(p);
            out.add(new FlowKey(s, d, ports ? sp : 0, ports ? dp : 0, p));
        }
    }

    /** The protocol cells' representatives within {@code [lo, hi]}; the protocol itself for a single one. */
    private List<Integer> protocols(int lo, int hi) {
        if (lo == hi) {
            return List.of(lo);
        }
        List<Integer> out = new ArrayList<>();
        for (int p : protocolCells) {
            if (p >= lo && p <= hi) {
                out.add(p);
            }
        }
        return out;
    }

    /** For tests: the number of grid cells these two policies make. */
    static long gridSize(CompiledPolicy before, CompiledPolicy after) {
        return new VerdictDiff(before, after).gridSize();
    }

    /** For tests: the flows sampled when the grid is too large. */
    static Set<FlowKey> samples(CompiledPolicy before, CompiledPolicy after, int budget) {
        return new VerdictDiff(before, after).samples(budget);
    }
}
