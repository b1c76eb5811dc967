package dev.portcullis.router;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpPrefix;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The run-time ClusterIP guard: the data plane never opens a connection or sends a datagram to an address inside
 * a service CIDR, whatever the configuration or a later update says. The policy loader already refuses such
 * endpoints; this is the second, independent check right before each connect or send.
 *
 * <p>Immutable; built from the cluster's service CIDRs at each policy apply. {@link #refuses} allocates nothing.
 */
public final class ClusterIpGuard {

    private final long[] v4Networks;
    private final long[] v4Masks;
    private final long[] v6His;
    private final long[] v6Los;
    private final long[] v6MaskHis;
    private final long[] v6MaskLos;

    public ClusterIpGuard(List<IpPrefix> serviceCidrs) {
        List<IpPrefix> v4 = serviceCidrs.stream().filter(p -> p.family() == dev.portcullis.policy.IpFamily.V4).toList();
        List<IpPrefix> v6 = serviceCidrs.stream().filter(p -> p.family() == dev.portcullis.policy.IpFamily.V6).toList();
        v4Networks = new long[v4.size()];
        v4Masks = new long[v4.size()];
        for (int i = 0; i < v4.size(); i++) {
            IpPrefix p = v4.get(i);
            v4Networks[i] = p.lo();
            v4Masks[i] = p.length() == 0 ? 0 : (0xFFFF_FFFFL << (32 - p.length())) & 0xFFFF_FFFFL;
        }
        v6His = new long[v6.size()];
        v6Los = new long[v6.size()];
        v6MaskHis = new long[v6.size()];
        v6MaskLos = new long[v6.size()];
        for (int i = 0; i < v6.size(); i++) {
            IpPrefix p = v6.get(i);
            int len = p.length();
            v6His[i] = p.hi();
            v6Los[i] = p.lo();
            v6MaskHis[i] = len >= 64 ? -1L : len == 0 ? 0 : -1L << (64 - len);
            v6MaskLos[i] = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        }
    }

    /** Whether {@code address} lies in a service CIDR and must not be connected or sent to. */
    public boolean refuses(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            long v = ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
            return refusesV4(v);
        }
        if (address instanceof Inet6Address) {
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = (hi << 8) | (b[i] & 0xFF);
                lo = (lo << 8) | (b[i + 8] & 0xFF);
            }
            // An IPv4-mapped address reaches the IPv4 host: check it against the IPv4 ranges too.
            if (hi == 0 && (lo >>> 32) == 0xFFFFL && refusesV4(lo & 0xFFFF_FFFFL)) {
                return true;
            }
            for (int i = 0; i < v6His.length; i++) {
                if ((hi & v6MaskHis[i]) == v6His[i] && (lo & v6MaskLos[i]) == v6Los[i]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a policy address lies in a service CIDR. */
    public boolean refuses(IpAddress address) {
        return refuses(Endpoint.Addresses.toInet(address));
    }

    private boolean refusesV4(long v) {
        for (int i = 0; i < v4Networks.length; i++) {
            if ((v & v4Masks[i]) == v4Networks[i]) {
                return true;
            }
        }
        return false;
    }
}
