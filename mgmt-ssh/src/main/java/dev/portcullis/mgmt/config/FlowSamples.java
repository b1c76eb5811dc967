package dev.portcullis.mgmt.config;

import dev.portcullis.policy.FlowKey;
import java.util.List;

/**
 * Recent real flows for the verdict diff, newest first. The appliance passes
 * {@code () -> plane.recentFlows().snapshot()}.
 *
 * <p>Called from configuration sessions' threads at any time; implementations are thread-safe.
 */
@FunctionalInterface
public interface FlowSamples {

    /** No recent flows: the verdict diff uses the rules' corners only. */
    FlowSamples NONE = List::of;

    List<FlowKey> recentFlows();
}
