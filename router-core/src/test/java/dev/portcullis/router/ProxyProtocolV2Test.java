package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProxyProtocolV2Test {

    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";

    /** What a receiver reads from a header: a test-only decoder written from the specification. */
    record Header(InetSocketAddress source, InetSocketAddress destination) {
    }

    static Header decode(ByteBuf in) throws UnknownHostException {
        byte[] sig = new byte[12];
        in.readBytes(sig);
        assertThat(HexFormat.of().formatHex(sig)).isEqualTo(SIGNATURE);
        int verCmd = in.readUnsignedByte();
        assertThat(verCmd >> 4).as("version").isEqualTo(2);
        assertThat(verCmd & 0xF).as("command PROXY").isEqualTo(1);
        int famProto = in.readUnsignedByte();
        assertThat(famProto & 0xF).as("STREAM").isEqualTo(1);
        int length = in.readUnsignedShort();
        assertThat(in.readableBytes()).isEqualTo(length);
        int addrLen = switch (famProto >> 4) {
            case 1 -> 4;
            case 2 -> 16;
            default -> throw new AssertionError("family " + (famProto >> 4));
        };
        assertThat(length).isEqualTo(2 * addrLen + 4);
        byte[] src = new byte[addrLen];
        byte[] dst = new byte[addrLen];
        in.readBytes(src);
        in.readBytes(dst);
        int srcPort = in.readUnsignedShort();
        int dstPort = in.readUnsignedShort();
        return new Header(new InetSocketAddress(InetAddress.getByAddress(src), srcPort),
                new InetSocketAddress(InetAddress.getByAddress(dst), dstPort));
    }

    private static InetSocketAddress sa(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    @Test
    void encode_v4_matchesHandComputedBytes() throws Exception {
        ByteBuf b = ProxyProtocolV2.encode(ALLOC, sa("192.0.2.1", 56324), sa("10.244.1.5", 8080));
        // signature | 0x21 v2 PROXY | 0x11 INET STREAM | length 12 | c0000201 | 0af40105 | 56324 | 8080
        assertThat(hex(b)).isEqualTo(SIGNATURE + "21" + "11" + "000c" + "c0000201" + "0af40105" + "dc04" + "1f90");
        assertThat(b.readableBytes()).isEqualTo(28);
        b.release();
    }

    @Test
    void encode_v6_matchesHandComputedBytes() throws Exception {
        ByteBuf b = ProxyProtocolV2.encode(ALLOC, sa("2001:db8::1", 443), sa("fd00::a", 8443));
        // signature | 0x21 | 0x21 INET6 STREAM | length 36 | 2001:db8::1 | fd00::a | 443 | 8443
        assertThat(hex(b)).isEqualTo(SIGNATURE + "21" + "21" + "0024"
                + "20010db8000000000000000000000001" + "fd00000000000000000000000000000a" + "01bb" + "20fb");
        assertThat(b.readableBytes()).isEqualTo(52);
        b.release();
    }

    @Test
    void encode_mixedFamilies_mapsV4IntoV6() throws Exception {
        ByteBuf b = ProxyProtocolV2.encode(ALLOC, sa("192.0.2.1", 1234), sa("fd00::a", 80));
        assertThat(hex(b)).isEqualTo(SIGNATURE + "21" + "21" + "0024"
                + "00000000000000000000ffffc0000201" + "fd00000000000000000000000000000a" + "04d2" + "0050");
        b.release();
    }

    /** Invariant: a receiver decodes exactly the addresses and ports written, for any addresses. */
    @Test
    void encode_randomAddresses_roundTripsThroughDecoder() throws Exception {
        Random rnd = new Random(23);
        for (int i = 0; i < 500; i++) {
            InetSocketAddress src = random(rnd, i % 2 == 0);
            InetSocketAddress dst = random(rnd, i % 4 < 2);
            ByteBuf b = Unpooled.buffer();
            ProxyProtocolV2.write(b, src, dst);
            Header h = decode(b);
            // A v4 address mapped into v6 comes back from the JDK as the v4 address itself.
            assertThat(h).isEqualTo(new Header(src, dst));
        }
    }

    @Test
    void encode_unresolvedAddress_refusedNamingIt() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.com", 80);
        assertThatThrownBy(() -> ProxyProtocolV2.encode(ALLOC, unresolved, sa("10.0.0.1", 80)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client address example.com");
    }

    private static InetSocketAddress random(Random rnd, boolean v4) throws UnknownHostException {
        byte[] b = new byte[v4 ? 4 : 16];
        rnd.nextBytes(b);
        if (!v4) {
            b[0] = 0x20; // not v4-mapped, which the JDK would turn into an IPv4 address
        }
        return new InetSocketAddress(InetAddress.getByAddress(b), rnd.nextInt(65536));
    }
}
