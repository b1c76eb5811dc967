package dev.portcullis.policy;

import java.util.Objects;

/**
 * An IPv4 or IPv6 address as two unsigned 64-bit halves.
 *
 * <p>An IPv6 address is {@code hi} (bits 127..64) and {@code lo} (bits 63..0). An IPv4 address keeps its 32 bits
 * in the low half of {@code lo}, and {@code hi} is 0. Parsing never consults a resolver: only numeric literals are
 * accepted.
 *
 * <pre>{@code
 * IpAddress a = IpAddress.parse("10.244.1.5");
 * IpAddress b = IpAddress.parse("2001:db8::1");
 * }</pre>
 */
public record IpAddress(IpFamily family, long hi, long lo) implements Comparable<IpAddress> {

    public IpAddress {
        Objects.requireNonNull(family, "family");
        if (family == IpFamily.V4 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address out of range: hi=" + hi + " lo=" + lo);
        }
    }

    /** An IPv4 address from its 32 bits. */
    public static IpAddress v4(int bits) {
        return new IpAddress(IpFamily.V4, 0, bits & 0xFFFF_FFFFL);
    }

    /** An IPv6 address from its two 64-bit halves. */
    public static IpAddress v6(long hi, long lo) {
        return new IpAddress(IpFamily.V6, hi, lo);
    }

    /**
     * Parses a numeric IPv4 ({@code 192.0.2.1}) or IPv6 ({@code 2001:db8::1}, {@code ::ffff:192.0.2.1}) literal.
     *
     * @throws IllegalArgumentException with a message that says what is wrong with the text
     */
    public static IpAddress parse(String text) {
        return IpLiterals.parseAddress(text);
    }

    /** The IPv4 address as a signed int carrying its 32 bits; only for {@link IpFamily#V4}. */
    public int v4Bits() {
        if (family != IpFamily.V4) {
            throw new IllegalStateException("not an IPv4 address: " + this);
        }
        return (int) lo;
    }

    /** The bit at position {@code index} counted from the most significant bit (0) of the address. */
    public boolean bit(int index) {
        if (family == IpFamily.V4) {
            return ((lo >>> (31 - index)) & 1) != 0;
        }
        return index < 64 ? ((hi >>> (63 - index)) & 1) != 0 : ((lo >>> (127 - index)) & 1) != 0;
    }

    @Override
    public int compareTo(IpAddress other) {
        int c = family.compareTo(other.family);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(hi, other.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, other.lo);
    }

    /** The canonical text: dotted quad for IPv4, RFC 5952 form for IPv6. */
    @Override
    public String toString() {
        return IpLiterals.format(this);
    }
}
