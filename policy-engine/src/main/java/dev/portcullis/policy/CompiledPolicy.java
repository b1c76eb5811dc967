package dev.portcullis.policy;

import dev.portcullis.policy.classifier.Classifier;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A policy compiled for lookups: its rules' boxes in a {@link Classifier}, and the actions by rule index.
 *
 * <p>Immutable and safe to share between threads; a new policy is a new instance, swapped in whole by its holder
 * (for example through a volatile field or an {@code AtomicReference}), so a lookup sees one policy or the other,
 * never a mixture. The {@code match} methods allocate nothing.
 *
 * <pre>{@code
 * CompiledPolicy compiled = CompiledPolicy.compile(policy);
 * int rule = compiled.matchV4(src, dst, srcPort, dstPort, 6);
 * Action action = compiled.action(rule);
 * }</pre>
 */
public final class CompiledPolicy {

    private final Policy policy;
    private final Classifier classifier;
    private final Action[] actions;
    private final Action defaultAction;

    private CompiledPolicy(Policy policy, Classifier classifier) {
        this.policy = policy;
        this.classifier = classifier;
        this.defaultAction = policy.defaultAction();
        this.actions = new Action[policy.rules().size()];
        for (int i = 0; i < actions.length; i++) {
            actions[i] = policy.rules().get(i).action();
        }
    }

    /** Compiles a valid policy. */
    public static CompiledPolicy compile(Policy policy) {
        return new CompiledPolicy(policy, Classifier.compile(boxes(policy)));
    }

    /**
     * The same compiled rules for an equal policy that differs only in its warnings; shares the classifier.
     *
     * @throws IllegalArgumentException when {@code same} has other rules
     */
    CompiledPolicy withPolicy(Policy same) {
        if (!same.rules().equals(policy.rules()) || same.defaultAction() != policy.defaultAction()) {
            throw new IllegalArgumentException("withPolicy needs the same rules and default action");
        }
        return new CompiledPolicy(same, classifier);
    }

    static List<ClassifierRule> boxes(Policy policy) {
        List<ClassifierRule> boxes = new ArrayList<>();
        for (Rule r : policy.rules()) {
            boxes.addAll(PolicyBoxes.expand(r));
        }
        return boxes;
    }

    public Policy policy() {
        return policy;
    }

    public Classifier classifier() {
        return classifier;
    }

    /** The 0-based index of the first rule matching an IPv4 flow, or -1 when none does. */
    public int matchV4(int src, int dst, int srcPort, int dstPort, int protocol) {
        return classifier.lookupV4(src, dst, srcPort, dstPort, protocol);
    }

    /** The 0-based index of the first rule matching an IPv6 flow, or -1 when none does. */
    public int matchV6(long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort, int protocol) {
        return classifier.lookupV6(srcHi, srcLo, dstHi, dstLo, srcPort, dstPort, protocol);
    }

    /** The action of rule {@code index} as returned by a match method; the default action for -1. */
    public Action action(int index) {
        return index < 0 ? defaultAction : actions[index];
    }

    /** The first matching rule's index for a flow of either family, or -1. */
    public int match(FlowKey flow) {
        IpAddress s = flow.source();
        IpAddress d = flow.destination();
        if (s.family() == IpFamily.V4) {
            return matchV4(s.v4Bits(), d.v4Bits(), flow.sourcePort(), flow.destinationPort(), flow.protocol());
        }
        return matchV6(s.hi(), s.lo(), d.hi(), d.lo(), flow.sourcePort(), flow.destinationPort(), flow.protocol());
    }

    /** The verdict for one flow, with the deciding rule: for explaining, not for the hot path. */
    public Verdict decide(FlowKey flow) {
        int index = match(flow);
        return new Verdict(action(index), index < 0 ? Optional.empty() : Optional.of(policy.rules().get(index)));
    }
}
