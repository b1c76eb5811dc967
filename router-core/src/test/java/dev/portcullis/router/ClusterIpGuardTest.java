package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ClusterIpGuardTest {

    private final List<IpPrefix> ranges = List.of(IpPrefix.parse("10.96.0.0/12"), IpPrefix.parse("fd00:10:96::/112"));
    private final ClusterIpGuard guard = new ClusterIpGuard(ranges);

    @Test
    void refuses_serviceAddressesOfBothFamilies_andV4MappedForms() throws Exception {
        assertThat(guard.refuses(InetAddress.getByName("10.96.0.10"))).isTrue();
        assertThat(guard.refuses(InetAddress.getByName("10.111.255.255"))).isTrue();
        assertThat(guard.refuses(InetAddress.getByName("10.112.0.0"))).isFalse();
        assertThat(guard.refuses(InetAddress.getByName("fd00:10:96::a"))).isTrue();
        assertThat(guard.refuses(InetAddress.getByName("fd00:10:97::a"))).isFalse();
        assertThat(guard.refuses(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF,
                (byte) 0xFF, 10, 96, 0, 10}))).isTrue();
    }

    /** Invariant: the guard refuses exactly the addresses some service prefix contains. */
    @Property
    void refuses_anyV4_agreesWithPrefixContainment(@ForAll int bits) throws Exception {
        IpAddress a = IpAddress.v4(bits);
        boolean expected = ranges.stream().anyMatch(p -> p.contains(a));
        assertThat(guard.refuses(a)).isEqualTo(expected);
    }
}
