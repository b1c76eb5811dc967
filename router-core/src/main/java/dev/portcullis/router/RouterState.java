package dev.portcullis.router;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.Rule;
import java.util.List;
import java.util.Map;

/**
 * What the data plane decides with, as one immutable snapshot: the compiled policy, the services at run time, the
 * rule counters by rule index, and the ClusterIP guard. A reload builds a new snapshot and publishes it with one
 * volatile write; a new connection reads the snapshot once and decides with it throughout, so it never sees half
 * of a reload.
 */
public record RouterState(long revision, CompiledPolicy policy, Map<String, ServiceRuntime> services,
                          Map<ListenerKey, ServiceRuntime> listeners, RuleCounter[] ruleCounters,
                          ClusterIpGuard guard) {

    public RouterState {
        services = Map.copyOf(services);
        listeners = Map.copyOf(listeners);
    }

    static RuleCounter[] ruleCounters(CompiledPolicy policy, DataPlaneCounters counters) {
        List<Rule> rules = policy.policy().rules();
        RuleCounter[] out = new RuleCounter[rules.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counters.rule(rules.get(i).name());
        }
        return out;
    }

    /** The counter of rule index {@code i} from a match, or of the default for -1. */
    RuleCounter counter(int i, DataPlaneCounters counters) {
        return i < 0 ? counters.defaultRule() : ruleCounters[i];
    }
}
