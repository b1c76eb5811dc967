package dev.portcullis.policy;

import java.util.Objects;

/**
 * A CIDR prefix: an address family, the network address with all host bits zero, and a length.
 *
 * <p>Representation follows {@link IpAddress}: IPv4 in the low 32 bits of {@code lo}, IPv6 in {@code hi:lo}. The
 * constructor refuses host bits, so two equal prefixes are always equal records.
 */
public record IpPrefix(IpFamily family, long hi, long lo, int length) {

    public IpPrefix {
        Objects.requireNonNull(family, "family");
        if (length < 0 || length > family.bits()) {
            throw new IllegalArgumentException(
                    "prefix length " + length + " is outside 0-" + family.bits() + " for " + family);
        }
        new IpAddress(family, hi, lo); // range check
        if ((hi & ~maskHi(family, length)) != 0 || (lo & ~maskLo(family, length)) != 0) {
            throw new IllegalArgumentException("host bits set in prefix " + IpLiterals.format(
                    new IpAddress(family, hi, lo)) + "/" + length);
        }
    }

    /** The prefix of length 0 in the family: every address. */
    public static IpPrefix any(IpFamily family) {
        return new IpPrefix(family, 0, 0, 0);
    }

    /** The prefix of {@code length} bits that contains {@code address}, host bits cleared. */
    public static IpPrefix of(IpAddress address, int length) {
        IpFamily f = address.family();
        if (length < 0 || length > f.bits()) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0-" + f.bits());
        }
        return new IpPrefix(f, address.hi() & maskHi(f, length), address.lo() & maskLo(f, length), length);
    }

    /** The host prefix (/32 or /128) of one address. */
    public static IpPrefix host(IpAddress address) {
        return of(address, address.family().bits());
    }

    /**
     * Parses {@code ADDR/LEN} or a bare address (a host prefix).
     *
     * @throws IllegalArgumentException when the text is malformed or has host bits set; the message says which
     */
    public static IpPrefix parse(String text) {
        return IpLiterals.parsePrefix(text);
    }

    /** The mask over the high 64 bits for a prefix of {@code length} in {@code family}. */
    static long maskHi(IpFamily family, int length) {
        if (family == IpFamily.V4) {
            return 0;
        }
        return length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
    }

    /** The mask over the low 64 bits for a prefix of {@code length} in {@code family}. */
    static long maskLo(IpFamily family, int length) {
        if (family == IpFamily.V4) {
            return length == 0 ? 0 : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
        }
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    /** The network address (the lowest address in the prefix). */
    public IpAddress first() {
        return new IpAddress(family, hi, lo);
    }

    /** The highest address in the prefix. */
    public IpAddress last() {
        return new IpAddress(family, hi | ~maskHi(family, length) & (family == IpFamily.V4 ? 0 : -1L),
                lo | (~maskLo(family, length) & (family == IpFamily.V4 ? 0xFFFF_FFFFL : -1L)));
    }

    /** Whether {@code address} lies in this prefix. Addresses of another family never do. */
    public boolean contains(IpAddress address) {
        return address.family() == family
                && (address.hi() & maskHi(family, length)) == hi
                && (address.lo() & maskLo(family, length)) == lo;
    }

    /** Whether every address of {@code other} lies in this prefix. */
    public boolean contains(IpPrefix other) {
        return other.family == family && other.length >= length && contains(other.first());
    }

    /** Whether the two prefixes share at least one address (for prefixes: one contains the other). */
    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    @Override
    public String toString() {
        return IpLiterals.format(first()) + "/" + length;
    }
}
