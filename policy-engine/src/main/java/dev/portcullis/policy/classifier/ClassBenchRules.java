package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parser for ClassBench rule files: one rule per line, in priority order.
 *
 * <pre>{@code @SRC/LEN DST/LEN SPORT_LO : SPORT_HI DPORT_LO : DPORT_HI 0xPP/0xMM}</pre>
 *
 * <p>The rule on the n-th non-blank line (0-based) gets priority n, so line 1 of the file is priority 0 and wins.
 * The protocol mask must be {@code 0xFF} (exact protocol) or {@code 0x00} (any protocol, value 0). Fields are
 * separated by spaces or tabs. A malformed line fails with {@code source:line: why}.
 *
 * <p>This class reads text only: the caller opens the file (and decompresses it if needed).
 */
public final class ClassBenchRules {

    private ClassBenchRules() {
    }

    /** Parses every rule of {@code text}; {@code source} names the text in error messages. */
    public static List<ClassifierRule> parse(String source, String text) {
        try {
            return parse(source, new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
    }

    /**
     * Parses every rule that {@code reader} yields; {@code source} names the text in error messages.
     *
     * @throws IllegalArgumentException {@code source:line: why} for the first malformed line
     */
    public static List<ClassifierRule> parse(String source, Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<ClassifierRule> rules = new ArrayList<>();
        int lineNumber = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            try {
                rules.add(parseLine(rules.size(), line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + lineNumber + ": " + e.getMessage(), e);
            }
        }
        return rules;
    }

    /** Parses one rule line with the given priority; the message of a failure says what is wrong. */
    static ClassifierRule parseLine(int priority, String line) {
        String trimmed = line.strip();
        if (!trimmed.startsWith("@")) {
            throw new IllegalArgumentException("a rule line starts with '@', not '" + abbreviate(trimmed) + "'");
        }
        String[] f = trimmed.substring(1).split("[ \t]+");
        if (f.length != 9 || !f[3].equals(":") || !f[6].equals(":")) {
            throw new IllegalArgumentException(
                    "expected 'SRC DST SPORT_LO : SPORT_HI DPORT_LO : DPORT_HI PROTO/MASK', got '"
                            + abbreviate(trimmed) + "'");
        }
        IpPrefix src = IpPrefix.parse(f[0]);
        IpPrefix dst = IpPrefix.parse(f[1]);
        PortRange sports = new PortRange(port(f[2]), port(f[4]));
        PortRange dports = new PortRange(port(f[5]), port(f[7]));
        String proto = f[8];
        int slash = proto.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("protocol '" + proto + "' is not VALUE/MASK");
        }
        int value = hexByte(proto.substring(0, slash), "protocol value");
        int mask = hexByte(proto.substring(slash + 1), "protocol mask");
        if (mask == 0xFF) {
            return new ClassifierRule(priority, src, dst, sports, dports, value, value);
        }
        if (mask == 0 && value == 0) {
            return new ClassifierRule(priority, src, dst, sports, dports, 0, 255);
        }
        throw new IllegalArgumentException("protocol '" + proto + "': only masks 0xFF, and 0x00 with value 0x00,"
                + " are supported");
    }

    private static int port(String text) {
        int v = decimal(text, "port");
        if (v > 65535) {
            throw new IllegalArgumentException("port " + text + " is more than 65535");
        }
        return v;
    }

    static int decimal(String text, String what) {
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
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " " + text + " is too large");
        }
        return (int) v;
    }

    private static int hexByte(String text, String what) {
        if (!(text.startsWith("0x") || text.startsWith("0X")) || text.length() < 3 || text.length() > 4) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a hex byte like 0x06");
        }
        int v = 0;
        for (int i = 2; i < text.length(); i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException(what + " '" + text + "' is not a hex byte like 0x06");
            }
            v = v * 16 + d;
        }
        return v;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
