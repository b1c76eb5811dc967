package dev.portcullis.policy;

/** An inclusive range of TCP or UDP ports, {@code 0 <= lo <= hi <= 65535}. */
public record PortRange(int lo, int hi) {

    /** Every port. */
    public static final PortRange ANY = new PortRange(0, 65535);

    public PortRange {
        if (lo < 0 || hi > 65535) {
            throw new IllegalArgumentException("port range " + lo + "-" + hi + " is outside 0-65535");
        }
        if (lo > hi) {
            throw new IllegalArgumentException("port range " + lo + "-" + hi + " is reversed");
        }
    }

    /** A single port. */
    public static PortRange of(int port) {
        return new PortRange(port, port);
    }

    public boolean contains(int port) {
        return port >= lo && port <= hi;
    }

    public boolean contains(PortRange other) {
        return other.lo >= lo && other.hi <= hi;
    }

    public boolean isAny() {
        return lo == 0 && hi == 65535;
    }

    @Override
    public String toString() {
        return lo == hi ? Integer.toString(lo) : lo + "-" + hi;
    }
}
