package dev.portcullis.router;

import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;

/**
 * 64-bit hashes of addresses for the balancers: no allocation, the same value on every run and every appliance.
 *
 * <p>How: each step is the SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), a bijection on 64 bits whose every output bit depends on every input bit. Chaining
 * {@code mix(mix(hi ^ seed) ^ lo)} keeps distinct {@code lo} halves under one {@code hi} distinct, and different
 * seeds give hashes that are, for balancing purposes, independent.
 */
final class Hashing {

    private static final long CLIENT_V4 = 0x2545F4914F6CDD1DL;
    private static final long CLIENT_V6 = 0x6A09E667F3BCC909L;
    /** Seeds of the two Maglev permutation hashes of an endpoint (offset and skip). */
    static final long OFFSET_SEED = 0xBB67AE8584CAA73BL;
    static final long SKIP_SEED = 0x3C6EF372FE94F82BL;

    private Hashing() {
    }

    /** The SplitMix64 finalizer: a bijection with full avalanche. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long client(IpAddress a) {
        long seed = a.family() == IpFamily.V4 ? CLIENT_V4 : CLIENT_V6;
        return mix64(mix64(a.hi() ^ seed) ^ a.lo());
    }

    /** A hash of an endpoint's address and port under {@code seed}. */
    static long endpoint(HostPort hp, long seed) {
        IpAddress a = hp.address();
        long familyAndPort = ((long) a.family().ordinal() << 16) | hp.port();
        return mix64(mix64(mix64(a.hi() ^ seed) ^ a.lo()) ^ familyAndPort);
    }
}
