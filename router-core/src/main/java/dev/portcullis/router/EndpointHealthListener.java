package dev.portcullis.router;

/**
 * Told when an endpoint goes down or comes back up, after its flag changed and its balancer was told: for
 * notifications and logs.
 *
 * <p>Threading: called on the event loop that ran the check (or on the control thread, when a reload turns checks
 * off and puts an endpoint back up), so it must not block; a listener that sends something hands it to a thread
 * of its own. Flips are rare (at most one per endpoint per check interval), so the call may allocate.
 */
@FunctionalInterface
public interface EndpointHealthListener {

    /** The listener that does nothing, the data plane's default. */
    EndpointHealthListener NONE = (service, endpoint, up) -> { };

    void healthChanged(String service, Endpoint endpoint, boolean up);
}
