package dev.portcullis.mgmt.config;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.router.DataPlaneException;
import dev.portcullis.router.ReloadReport;

/**
 * Puts a compiled policy into effect on the data plane, atomically: after a failure the data plane runs as before.
 * The appliance passes {@code plane::apply} ({@code DataPlane.apply}), which keeps established connections.
 *
 * <p>Called by one thread at a time (the configuration service serializes commits and rollbacks).
 */
@FunctionalInterface
public interface PolicyApplier {

    /**
     * @throws DataPlaneException when the policy cannot be applied (a listener cannot be bound); nothing changed
     */
    ReloadReport apply(CompiledPolicy policy) throws DataPlaneException;
}
