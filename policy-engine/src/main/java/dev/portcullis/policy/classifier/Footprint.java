package dev.portcullis.policy.classifier;

/**
 * Memory estimates for primitive arrays on a 64-bit HotSpot JVM with compressed class pointers: a 16-byte array
 * header (mark word, class pointer, length) plus the elements, rounded up to 8 bytes.
 */
final class Footprint {

    static final long OBJECT_HEADER = 12;

    private Footprint() {
    }

    static long of(int[] a) {
        return align(16 + 4L * a.length);
    }

    static long of(long[] a) {
        return align(16 + 8L * a.length);
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
