package dev.portcullis.policy;

import java.util.Optional;

/** What the policy decides for one flow: the action, and the rule that decided, or none for the default. */
public record Verdict(Action action, Optional<Rule> rule) {

    /** The deciding rule's 1-based number, or 0 when the default decided. */
    public int ruleNumber() {
        return rule.map(Rule::number).orElse(0);
    }

    /** One line: {@code accept by rule 2 'web' (p.yaml:12:5)} or {@code drop by default}. */
    public String explain() {
        return rule.map(r -> action.word() + " by rule " + r.number() + " '" + r.name() + "' (" + r.location() + ")")
                .orElse(action.word() + " by default");
    }
}
