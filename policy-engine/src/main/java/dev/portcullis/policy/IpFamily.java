package dev.portcullis.policy;

/** An IP address family: IPv4 (32-bit addresses) or IPv6 (128-bit addresses). */
public enum IpFamily {
    V4(32),
    V6(128);

    private final int bits;

    IpFamily(int bits) {
        this.bits = bits;
    }

    /** The number of bits in an address of this family: 32 or 128. */
    public int bits() {
        return bits;
    }
}
