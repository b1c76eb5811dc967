package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class IpPrefixTest {

    @Test
    void parse_v4Cidr_keepsNetworkAndLength() {
        IpPrefix p = IpPrefix.parse("10.244.1.0/24");
        assertThat(p.family()).isEqualTo(IpFamily.V4);
        assertThat(p.length()).isEqualTo(24);
        assertThat(p.toString()).isEqualTo("10.244.1.0/24");
        assertThat(p.contains(IpAddress.parse("10.244.1.255"))).isTrue();
        assertThat(p.contains(IpAddress.parse("10.244.2.0"))).isFalse();
        assertThat(p.last()).isEqualTo(IpAddress.parse("10.244.1.255"));
    }

    @Test
    void parse_hostBitsSet_refusedNamingTheNetwork() {
        assertThatThrownBy(() -> IpPrefix.parse("10.244.1.5/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host bits set")
                .hasMessageContaining("10.244.1.0/24");
    }

    @Test
    void parse_malformed_refusedWithReason() {
        assertThatThrownBy(() -> IpAddress.parse("10.244.1")).hasMessageContaining("fewer than 4 octets");
        assertThatThrownBy(() -> IpAddress.parse("10.256.1.1")).hasMessageContaining("more than 255");
        assertThatThrownBy(() -> IpAddress.parse("010.1.1.1")).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> IpAddress.parse("2001:db8:::1")).hasMessageContaining("empty group");
        assertThatThrownBy(() -> IpAddress.parse("2001:db8::1::2")).hasMessageContaining("twice");
        assertThatThrownBy(() -> IpAddress.parse("fe80::1%eth0")).hasMessageContaining("zone");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33")).hasMessageContaining("more than 32");
        assertThatThrownBy(() -> IpAddress.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parse_v6Forms_formatCanonically() {
        assertThat(IpAddress.parse("2001:0db8:0000:0000:0000:0000:0000:0001").toString()).isEqualTo("2001:db8::1");
        assertThat(IpAddress.parse("::").toString()).isEqualTo("::");
        assertThat(IpAddress.parse("::ffff:192.0.2.1").toString()).isEqualTo("::ffff:c000:201");
        assertThat(IpAddress.parse("2001:db8:0:0:1:0:0:1").toString()).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpPrefix.parse("2001:db8:1::/48").contains(IpAddress.parse("2001:db8:1:ffff::9"))).isTrue();
    }

    /** Invariant: our parser agrees with the JDK's on every IPv6 address we format. */
    @Property
    void format_anyV6_roundTripsAndMatchesJdk(@ForAll long hi, @ForAll long lo) throws Exception {
        IpAddress a = IpAddress.v6(hi, lo);
        String text = a.toString();
        assertThat(IpAddress.parse(text)).isEqualTo(a);
        byte[] bytes = InetAddress.getByName(text).getAddress();
        assertThat(bytes).hasSize(16);
        long h = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (bytes[i] & 0xFF);
            l = (l << 8) | (bytes[i + 8] & 0xFF);
        }
        assertThat(h).isEqualTo(hi);
        assertThat(l).isEqualTo(lo);
    }

    @Property
    void of_anyLength_containsItsFirstAndLast(@ForAll int bits, @ForAll("lengths") int length) {
        IpPrefix p = IpPrefix.of(IpAddress.v4(bits), length);
        assertThat(p.contains(IpAddress.v4(bits))).isTrue();
        assertThat(p.contains(p.first())).isTrue();
        assertThat(p.contains(p.last())).isTrue();
        assertThat(IpPrefix.parse(p.toString())).isEqualTo(p);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> lengths() {
        return net.jqwik.api.Arbitraries.integers().between(0, 32);
    }
}
