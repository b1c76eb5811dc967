package dev.portcullis.policy;

import dev.portcullis.policy.classifier.Classifier;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds rules that can never match because earlier rules cover them entirely, and warns about each, naming the
 * rules that cover it.
 *
 * <p>How: a box is contained in another box exactly when it is contained dimension by dimension, and any box
 * containing a box contains its lowest corner. So for each box of rule {@code i}, the classifier is asked for the
 * rules matching the box's lowest corner, in priority order ({@code lookupAfter}), and each such earlier rule's own
 * boxes are tested for containment. Rule {@code i} is reported when every one of its boxes lies inside one box of
 * an earlier rule. This finds every rule covered box by box; a rule covered only by the union of several boxes
 * that each cover part of one of its boxes is not reported (no false warnings, some missed ones).
 *
 * <p>Cost: one lookup per box plus one per earlier rule that matches the corner without containing the box; at
 * most {@link #MAX_CANDIDATES} of those per box, past which the box is taken as not covered.
 */
final class ShadowAnalysis {

    static final int MAX_CANDIDATES = 256;

    private ShadowAnalysis() {
    }

    /** Adds a warning for each rule of the compiled policy that earlier rules cover. */
    static void warn(CompiledPolicy compiled, Diagnostics diagnostics) {
        List<Rule> rules = compiled.policy().rules();
        List<List<ClassifierRule>> boxesByRule = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            boxesByRule.add(PolicyBoxes.expand(r));
        }
        Classifier classifier = compiled.classifier();
        for (int i = 0; i < rules.size(); i++) {
            Set<Integer> coveringRules = coveredBy(i, boxesByRule, classifier);
            if (coveringRules == null) {
                continue;
            }
            Rule rule = rules.get(i);
            String by = coveringRules.stream()
                    .map(j -> "rule '" + rules.get(j).name() + "' (line " + rules.get(j).location().line() + ")")
                    .collect(Collectors.joining(", "));
            boolean sameAction = coveringRules.stream().allMatch(j -> rules.get(j).action() == rule.action());
            diagnostics.warning(rule.location(), "rule '" + rule.name() + "' can never match: " + by
                    + (coveringRules.size() == 1 ? " covers" : " cover") + " it entirely",
                    sameAction ? "it is redundant (same action); remove it"
                            : "move it above " + (coveringRules.size() == 1 ? "that rule" : "those rules")
                            + " or remove it");
        }
    }

    /** The earlier rules covering every box of rule {@code i}, or null if some box is not covered. */
    private static Set<Integer> coveredBy(int i, List<List<ClassifierRule>> boxesByRule, Classifier classifier) {
        List<ClassifierRule> boxes = boxesByRule.get(i);
        if (boxes.isEmpty()) {
            return null;
        }
        Set<Integer> covering = new LinkedHashSet<>();
        for (ClassifierRule box : boxes) {
            int j = coveringRule(i, box, boxesByRule, classifier);
            if (j < 0) {
                return null;
            }
            covering.add(j);
        }
        return covering;
    }

    private static int coveringRule(int i, ClassifierRule box, List<List<ClassifierRule>> boxesByRule,
                                    Classifier classifier) {
        int after = -1;
        for (int tries = 0; tries < MAX_CANDIDATES; tries++) {
            int j = lowestCornerMatch(classifier, after, box);
            if (j < 0 || j >= i) {
                return -1;
            }
            for (ClassifierRule outer : boxesByRule.get(j)) {
                if (PolicyBoxes.contains(outer, box)) {
                    return j;
                }
            }
            after = j;
        }
        return -1;
    }

    private static int lowestCornerMatch(Classifier c, int after, ClassifierRule box) {
        IpAddress s = box.source().first();
        IpAddress d = box.destination().first();
        int sp = box.sourcePorts().lo();
        int dp = box.destinationPorts().lo();
        if (s.family() == IpFamily.V4) {
            return c.lookupV4After(after, s.v4Bits(), d.v4Bits(), sp, dp, box.protocolLo());
        }
        return c.lookupV6After(after, s.hi(), s.lo(), d.hi(), d.lo(), sp, dp, box.protocolLo());
    }
}
