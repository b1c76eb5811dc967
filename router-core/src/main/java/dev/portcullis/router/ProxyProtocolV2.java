package dev.portcullis.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Writes the binary PROXY protocol version 2 header (HAProxy, "The PROXY protocol", section 2.2) that tells an
 * endpoint the client's address on a proxied TCP connection; sent first on the connection to the endpoint.
 *
 * <p>Layout: the 12-byte signature; {@code 0x21} (version 2, command PROXY); {@code 0x11} (AF_INET, STREAM) or
 * {@code 0x21} (AF_INET6, STREAM); the length of what follows as a big-endian 16-bit number (12 or 36); then
 * source address, destination address, source port, destination port, in network byte order. When one address is
 * IPv4 and the other IPv6, the IPv4 one is written as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}). No TLVs.
 */
public final class ProxyProtocolV2 {

    /** The fixed signature that starts every version 2 header. */
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int VERSION_2_PROXY = 0x21;
    private static final int INET_STREAM = 0x11;
    private static final int INET6_STREAM = 0x21;
    private static final int INET_ADDRESSES = 12;
    private static final int INET6_ADDRESSES = 36;
    /** Signature, version and command, family and protocol, length. */
    private static final int FIXED = 16;

    private ProxyProtocolV2() {
    }

    /** A new buffer holding the header for a TCP connection from {@code client} to {@code destination}. */
    public static ByteBuf encode(ByteBufAllocator alloc, InetSocketAddress client, InetSocketAddress destination) {
        int size = FIXED + (ipv6(address(client, "client"), address(destination, "destination"))
                ? INET6_ADDRESSES : INET_ADDRESSES);
        ByteBuf out = alloc.buffer(size, size);
        write(out, client, destination);
        return out;
    }

    /** Writes the header at {@code out}'s writer index: 28 bytes for two IPv4 addresses, otherwise 52. */
    public static void write(ByteBuf out, InetSocketAddress client, InetSocketAddress destination) {
        InetAddress src = address(client, "client");
        InetAddress dst = address(destination, "destination");
        boolean v6 = ipv6(src, dst);
        out.writeBytes(SIGNATURE);
        out.writeByte(VERSION_2_PROXY);
        out.writeByte(v6 ? INET6_STREAM : INET_STREAM);
        out.writeShort(v6 ? INET6_ADDRESSES : INET_ADDRESSES);
        writeAddress(out, src, v6);
        writeAddress(out, dst, v6);
        out.writeShort(client.getPort());
        out.writeShort(destination.getPort());
    }

    private static boolean ipv6(InetAddress src, InetAddress dst) {
        return src instanceof Inet6Address || dst instanceof Inet6Address;
    }

    private static InetAddress address(InetSocketAddress sa, String role) {
        Objects.requireNonNull(sa, role);
        InetAddress a = sa.getAddress();
        if (a == null) {
            throw new IllegalArgumentException(role + " address " + sa + " is unresolved");
        }
        return a;
    }

    private static void writeAddress(ByteBuf out, InetAddress a, boolean v6) {
        byte[] bytes = a.getAddress();
        if (v6 && a instanceof Inet4Address) {
            out.writeZero(10);
            out.writeShort(0xFFFF);
        }
        out.writeBytes(bytes);
    }
}
