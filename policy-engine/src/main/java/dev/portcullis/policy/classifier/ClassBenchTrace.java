package dev.portcullis.policy.classifier;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;

/**
 * A ClassBench trace: packet headers with the 1-based line of the first matching rule.
 *
 * <pre>{@code SRC DST SPORT DPORT PROTO MATCH}</pre>
 *
 * <p>SRC and DST are IPv4 addresses as unsigned 32-bit decimal integers. Headers are kept in parallel int arrays so
 * a benchmark can replay them without boxing; the instance is immutable after {@link #parse}.
 */
public final class ClassBenchTrace {

    private final int[] src;
    private final int[] dst;
    private final int[] srcPort;
    private final int[] dstPort;
    private final int[] protocol;
    private final int[] match;

    private ClassBenchTrace(int[] src, int[] dst, int[] srcPort, int[] dstPort, int[] protocol, int[] match) {
        this.src = src;
        this.dst = dst;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.protocol = protocol;
        this.match = match;
    }

    /**
     * Reads every header that {@code reader} yields; {@code source} names the text in error messages.
     *
     * @throws IllegalArgumentException {@code source:line: why} for the first malformed line
     */
    public static ClassBenchTrace parse(String source, Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        int n = 0;
        int[][] cols = new int[6][1024];
        int lineNumber = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("[ \t]+");
            if (f.length < 6) {
                throw new IllegalArgumentException(source + ":" + lineNumber + ": expected 'SRC DST SPORT DPORT PROTO"
                        + " MATCH', got '" + ClassBenchRules.abbreviate(line) + "'");
            }
            if (n == cols[0].length) {
                for (int c = 0; c < 6; c++) {
                    cols[c] = Arrays.copyOf(cols[c], n * 2);
                }
            }
            try {
                cols[0][n] = (int) unsigned(f[0], "source address", 0xFFFF_FFFFL);
                cols[1][n] = (int) unsigned(f[1], "destination address", 0xFFFF_FFFFL);
                cols[2][n] = (int) unsigned(f[2], "source port", 65535);
                cols[3][n] = (int) unsigned(f[3], "destination port", 65535);
                cols[4][n] = (int) unsigned(f[4], "protocol", 255);
                cols[5][n] = (int) unsigned(f[5], "match", Integer.MAX_VALUE);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + lineNumber + ": " + e.getMessage(), e);
            }
            n++;
        }
        return new ClassBenchTrace(Arrays.copyOf(cols[0], n), Arrays.copyOf(cols[1], n), Arrays.copyOf(cols[2], n),
                Arrays.copyOf(cols[3], n), Arrays.copyOf(cols[4], n), Arrays.copyOf(cols[5], n));
    }

    private static long unsigned(String text, String what, long max) {
        if (text.isEmpty() || text.length() > 10) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a decimal number");
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException(what + " '" + text + "' is not a decimal number");
            }
            v = v * 10 + (c - '0');
        }
        if (v > max) {
            throw new IllegalArgumentException(what + " " + text + " is more than " + max);
        }
        return v;
    }

    /** The number of headers. */
    public int size() {
        return src.length;
    }

    /** The source address bits of header {@code i}. */
    public int src(int i) {
        return src[i];
    }

    /** The destination address bits of header {@code i}. */
    public int dst(int i) {
        return dst[i];
    }

    public int srcPort(int i) {
        return srcPort[i];
    }

    public int dstPort(int i) {
        return dstPort[i];
    }

    public int protocol(int i) {
        return protocol[i];
    }

    /** The 1-based rule line that header {@code i} matches first, as the trace states it. */
    public int match(int i) {
        return match[i];
    }
}
