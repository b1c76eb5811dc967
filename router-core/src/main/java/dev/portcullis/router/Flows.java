package dev.portcullis.router;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.Rule;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Conversions from socket addresses to policy addresses, and the policy lookup for one new flow. */
final class Flows {

    private Flows() {
    }

    /**
     * The policy address of a socket address. An IPv4-mapped IPv6 address (from a dual-stack socket) is taken as
     * the IPv4 address it carries, so IPv4 rules apply to it.
     */
    static IpAddress ipAddress(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return IpAddress.v4(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[i + 8] & 0xFF);
        }
        if (hi == 0 && (lo >>> 32) == 0xFFFFL) {
            return IpAddress.v4((int) lo);
        }
        return IpAddress.v6(hi, lo);
    }

    /** The index of the first matching rule, or -1; flows whose two addresses differ in family match nothing. */
    static int match(CompiledPolicy policy, IpAddress src, IpAddress dst, int sport, int dport, int protocol) {
        if (src.family() != dst.family()) {
            return -1;
        }
        if (src.family() == IpFamily.V4) {
            return policy.matchV4(src.v4Bits(), dst.v4Bits(), sport, dport, protocol);
        }
        return policy.matchV6(src.hi(), src.lo(), dst.hi(), dst.lo(), sport, dport, protocol);
    }

    /**
     * Decides a new flow (a TCP connection or a UDP flow's first datagram) on {@code listener} with {@code state}'s
     * policy, and counts it: the lookup, the rule's hit and the recent flow; the decision log line if the rule asks
     * for one; and a drop or reject as a refusal of the listener's service. Returns the action.
     */
    static Action classify(DataPlane plane, RouterState state, ListenerKey listener, int protocol,
                           InetSocketAddress client, InetSocketAddress local, IpAddress clientIp) {
        IpAddress localIp = ipAddress(local.getAddress());
        int rule = match(state.policy(), clientIp, localIp, client.getPort(), local.getPort(), protocol);
        plane.counters().lookedUp();
        plane.recentFlows().record(clientIp, localIp, client.getPort(), local.getPort(), protocol);
        state.counter(rule, plane.counters()).hit(System.currentTimeMillis());
        Action action = state.policy().action(rule);
        ServiceRuntime service = state.listeners().get(listener);
        if (rule >= 0) {
            Rule r = state.policy().policy().rules().get(rule);
            if (r.log()) {
                plane.decisionLog().log(r.name(), r.number(), action, protocol, client, local,
                        service == null ? "" : service.name());
            }
        }
        if (action != Action.ACCEPT) {
            plane.counters().refused(service == null ? null : service.counters(),
                    action == Action.DROP ? RefusalReason.POLICY_DROP : RefusalReason.POLICY_REJECT);
        }
        return action;
    }
}
