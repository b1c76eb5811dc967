package dev.portcullis.router;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpProtocols;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decisions every new TCP connection on one listener goes through, whichever way its bytes are then moved
 * (Netty channels, {@link TcpAdmission}; or sockets driven on the epoll loop, {@link DirectConnection}): classify the
 * real five-tuple with the current policy and count it; admit within the service's limits; choose an endpoint and
 * check it against the ClusterIP guard. Every refusal is counted here, by reason; the caller only closes.
 *
 * <p>Threading: stateless apart from the data plane it reads; called on event loops.
 */
final class TcpGate {

    private static final Logger LOG = LoggerFactory.getLogger(TcpGate.class);

    /** Endpoints tried for one connection before it is refused: the first choice, then one other. */
    static final int MAX_ATTEMPTS = 2;

    private final DataPlane plane;
    private final ListenerKey listener;

    TcpGate(DataPlane plane, ListenerKey listener) {
        this.plane = plane;
        this.listener = listener;
    }

    DataPlane plane() {
        return plane;
    }

    ListenerKey listener() {
        return listener;
    }

    /**
     * Classifies a new connection with {@code state}'s policy: counts the lookup and the rule's hit, records the
     * flow, writes the decision log line if the rule asks, and counts a drop or reject as a refusal.
     */
    Action classify(RouterState state, InetSocketAddress client, InetSocketAddress local, IpAddress clientIp) {
        return Flows.classify(plane, state, listener, IpProtocols.TCP, client, local, clientIp);
    }

    /**
     * Admits an accepted connection within its service's limits: the new connection, or null when refused (counted;
     * the caller resets the client).
     */
    ProxiedConnection admit(RouterState state, ProxiedConnection.Sides sides, InetSocketAddress client,
                            InetSocketAddress local, IpAddress clientIp) {
        ServiceRuntime service = state.listeners().get(listener);
        if (service == null) {
            // The listener is being removed by a reload; its service is gone.
            plane.counters().refused(null, RefusalReason.NO_HEALTHY_ENDPOINT);
            return null;
        }
        RefusalReason limited = service.limits().tryAdmit(clientIp, System.nanoTime());
        if (limited != null) {
            plane.counters().refused(service.counters(), limited);
            return null;
        }
        return new ProxiedConnection(plane.registry(), sides, listener, client, local, clientIp, service);
    }

    /**
     * The endpoint for attempt {@code attempt} (1-based) of {@code conn}, not {@code failed} (the previous attempt's,
     * or null): the selector's choice by {@code hash}, passed through the ClusterIP guard (a guarded endpoint is
     * refused, logged and counted, and the next attempt tried). Null when no endpoint is left: then the refusal has
     * been counted and the caller resets the client.
     */
    Endpoint choose(RouterState state, ProxiedConnection conn, long hash, int attempt, Endpoint failed) {
        ServiceRuntime service = conn.service;
        for (int a = attempt; a <= MAX_ATTEMPTS; a++) {
            Endpoint e = service.selector().select(hash);
            if (e != null && e == failed) {
                e = service.selector().select(hash ^ 0x9E37_79B9_7F4A_7C15L);
            }
            if (e == null || e == failed) {
                // After a failed attempt the reason was counted already (connect failure or guard).
                if (failed == null) {
                    plane.counters().refused(service.counters(), RefusalReason.NO_HEALTHY_ENDPOINT);
                }
                return null;
            }
            if (!state.guard().refuses(e.socketAddress().getAddress())) {
                return e;
            }
            LOG.error("choose: refusing endpoint {} of service {}: it lies in a service CIDR (ClusterIP guard)",
                    e.address(), service.name());
            plane.counters().refused(service.counters(), RefusalReason.CLUSTER_IP_GUARD);
            failed = e;
        }
        return null;
    }

    /** Counts a failed connection attempt to {@code e}; whether another attempt may follow {@code attempt}. */
    boolean connectFailed(ProxiedConnection conn, Endpoint e, int attempt, Throwable cause) {
        e.connectFailed();
        LOG.debug("connectFailed: {} failed for {}: {}", e.address(), conn.client, String.valueOf(cause));
        plane.counters().refused(conn.service.counters(), RefusalReason.CONNECT_FAILED);
        return attempt < MAX_ATTEMPTS;
    }
}
