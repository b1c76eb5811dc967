package dev.portcullis.policy;

import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/** IP protocol names a policy may use, and their numbers (IANA "Assigned Internet Protocol Numbers"). */
public final class IpProtocols {

    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMPV6 = 58;
    public static final int SCTP = 132;

    private static final Map<String, Integer> BY_NAME = Map.of(
            "icmp", ICMP, "igmp", 2, "tcp", TCP, "udp", UDP, "gre", 47, "esp", 50, "ah", 51,
            "icmpv6", ICMPV6, "sctp", SCTP);

    private IpProtocols() {
    }

    /** The names accepted, sorted, plus {@code any}. */
    public static java.util.Set<String> names() {
        TreeMap<String, Integer> sorted = new TreeMap<>(BY_NAME);
        java.util.Set<String> out = new java.util.LinkedHashSet<>(sorted.keySet());
        out.add("any");
        return out;
    }

    /**
     * Parses a protocol name or a number 0-255. {@code any} gives an empty result.
     *
     * @throws IllegalArgumentException for anything else, naming the accepted forms
     */
    public static OptionalInt parse(String text) {
        if (text.equals("any")) {
            return OptionalInt.empty();
        }
        Integer n = BY_NAME.get(text);
        if (n != null) {
            return OptionalInt.of(n);
        }
        if (!text.isEmpty() && text.length() <= 3 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int v = Integer.parseInt(text);
            if (v <= 255) {
                return OptionalInt.of(v);
            }
            throw new IllegalArgumentException("protocol number " + v + " is outside 0-255");
        }
        throw new IllegalArgumentException("unknown protocol '" + text + "'");
    }

    /** Whether flows of this protocol carry ports a rule can match. */
    public static boolean hasPorts(int protocol) {
        return protocol == TCP || protocol == UDP || protocol == SCTP;
    }

    /** The name of a protocol number, or the number itself. */
    public static String name(int protocol) {
        for (Map.Entry<String, Integer> e : BY_NAME.entrySet()) {
            if (e.getValue() == protocol) {
                return e.getKey();
            }
        }
        return Integer.toString(protocol);
    }
}
