package dev.portcullis.router;

import dev.portcullis.policy.Balance;
import dev.portcullis.policy.IpAddress;
import java.util.List;
import java.util.Objects;

/**
 * Chooses the endpoint of a service for a new connection or flow, among its healthy endpoints.
 *
 * <p>Threading: {@link #select} is called on any event loop, concurrently, and never blocks or allocates.
 * {@link #healthChanged()} is called on any thread after an endpoint's health flag flipped; until it has run a
 * selector may still see the old set of healthy endpoints, but it never returns an endpoint whose flag reads down.
 *
 * <pre>{@code
 * EndpointSelector s = EndpointSelector.of(Balance.MAGLEV, endpoints);
 * Endpoint e = s.select(EndpointSelector.hashClient(clientAddress));
 * if (e == null) refuse(RefusalReason.NO_HEALTHY_ENDPOINT);
 * }</pre>
 */
public sealed interface EndpointSelector permits RoundRobinSelector, LeastConnectionsSelector, MaglevSelector {

    /**
     * A healthy endpoint for a client, or null when none is healthy.
     *
     * @param clientHash {@link #hashClient(IpAddress)} of the client's address; only Maglev uses it
     */
    Endpoint select(long clientHash);

    /** Every endpoint of the service, healthy or not, in the order given. */
    List<Endpoint> endpoints();

    /** Call after any endpoint's health flag flipped, on any thread; rebuilds what depends on the healthy set. */
    void healthChanged();

    /**
     * A selector for a balance mode.
     *
     * @param endpoints distinct addresses; may be empty (then every selection is null)
     * @throws IllegalArgumentException naming a duplicate address
     */
    static EndpointSelector of(Balance balance, List<Endpoint> endpoints) {
        Objects.requireNonNull(balance, "balance");
        return switch (balance) {
            case ROUND_ROBIN -> new RoundRobinSelector(endpoints);
            case LEAST_CONNECTIONS -> new LeastConnectionsSelector(endpoints);
            case MAGLEV -> new MaglevSelector(endpoints);
        };
    }

    /** A well-mixed 64-bit hash of a client address (both halves and the family); no allocation. */
    static long hashClient(IpAddress a) {
        return Hashing.client(a);
    }
}
