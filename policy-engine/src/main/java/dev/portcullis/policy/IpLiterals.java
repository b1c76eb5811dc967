package dev.portcullis.policy;

/**
 * Strict parsing and canonical formatting of IP literals, without a resolver.
 *
 * <p>IPv4: four decimal octets 0-255, no leading zeros (so {@code 010.1.1.1} is refused rather than read as
 * octal by some tools and decimal by others). IPv6: RFC 4291 text forms, with at most one {@code ::} and an
 * optional trailing dotted quad; zone identifiers are refused. Output: dotted quad, and RFC 5952 for IPv6.
 */
final class IpLiterals {

    private IpLiterals() {
    }

    static IpAddress parseAddress(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        if (text.indexOf(':') >= 0) {
            return parseV6(text);
        }
        return IpAddress.v4(parseV4(text, text));
    }

    static IpPrefix parsePrefix(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty prefix");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return IpPrefix.host(parseAddress(text));
        }
        IpAddress address = parseAddress(text.substring(0, slash));
        String lenText = text.substring(slash + 1);
        int max = address.family().bits();
        int length = parseDecimal(lenText, max, "prefix length in", text);
        IpPrefix prefix = IpPrefix.of(address, length);
        if (!prefix.first().equals(address)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; the network is " + prefix);
        }
        return prefix;
    }

    /**
     * A decimal number 0..max without leading zeros. {@code what} and {@code subject} name it in an error
     * ("octet '300'"); they are joined only when there is an error, since this runs for every octet of a large
     * policy.
     */
    private static int parseDecimal(String s, int max, String noun, String subject) {
        int v = decimalOrNegative(s, max);
        if (v >= 0) {
            return v;
        }
        String what = noun + " '" + subject + "'";
        if (v == -2) {
            throw new IllegalArgumentException("leading zero in " + what);
        }
        if (v == -3) {
            throw new IllegalArgumentException(what + " is " + Long.parseLong(s) + ", more than " + max);
        }
        throw new IllegalArgumentException("malformed " + what);
    }

    /** The value, or -1 malformed, -2 leading zero, -3 over {@code max}. */
    private static int decimalOrNegative(String s, int max) {
        if (s.isEmpty() || s.length() > 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        if (s.length() > 1 && s.charAt(0) == '0') {
            return -2;
        }
        return v > max ? -3 : v;
    }

    private static int parseV4(String s, String whole) {
        int bits = 0;
        int start = 0;
        for (int octet = 0; octet < 4; octet++) {
            int end = s.indexOf('.', start);
            if (octet == 3) {
                if (end >= 0) {
                    throw new IllegalArgumentException("'" + whole + "' is not an IPv4 address: more than 4 octets");
                }
                end = s.length();
            } else if (end < 0) {
                throw new IllegalArgumentException("'" + whole + "' is not an IPv4 address: fewer than 4 octets");
            }
            String part = s.substring(start, end);
            int v;
            try {
                v = parseDecimal(part, 255, "octet", part);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + whole + "' is not an IPv4 address: " + e.getMessage());
            }
            bits = (bits << 8) | v;
            start = end + 1;
        }
        return bits;
    }

    private static IpAddress parseV6(String s) {
        if (s.indexOf('%') >= 0) {
            throw new IllegalArgumentException("'" + s + "': zone identifiers are not allowed");
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // index in groups where '::' stands
        int i = 0;
        int n = s.length();
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (n == 2) {
                return IpAddress.v6(0, 0);
            }
        } else if (s.startsWith(":")) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: starts with a single ':'");
        }
        while (i < n) {
            int end = i;
            while (end < n && s.charAt(end) != ':') {
                end++;
            }
            String part = s.substring(i, end);
            if (part.isEmpty()) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: empty group");
            }
            if (part.indexOf('.') >= 0) {
                if (end != n || count > 6) {
                    throw new IllegalArgumentException(
                            "'" + s + "' is not an IPv6 address: a dotted quad may only end the address");
                }
                int v4 = parseV4(part, s);
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xFFFF;
                i = n;
                break;
            }
            if (part.length() > 4) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: group '" + part
                        + "' has more than 4 hex digits");
            }
            int v = 0;
            for (int k = 0; k < part.length(); k++) {
                int d = Character.digit(part.charAt(k), 16);
                if (d < 0) {
                    throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: '" + part
                            + "' is not hexadecimal");
                }
                v = (v << 4) | d;
            }
            if (count == 8) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: more than 8 groups");
            }
            groups[count++] = v;
            if (end == n) {
                i = n;
                break;
            }
            // at ':'
            if (end + 1 < n && s.charAt(end + 1) == ':') {
                if (gap >= 0) {
                    throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: '::' appears twice");
                }
                gap = count;
                i = end + 2;
            } else if (end + 1 == n) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: ends with a single ':'");
            } else {
                i = end + 1;
            }
        }
        if (gap < 0 && count != 8) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: " + count + " groups, not 8");
        }
        if (gap >= 0 && count > 7) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv6 address: '::' stands for no group");
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = groups;
        } else {
            int tail = count - gap;
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | full[k];
            lo = (lo << 16) | full[k + 4];
        }
        return IpAddress.v6(hi, lo);
    }

    static String format(IpAddress a) {
        if (a.family() == IpFamily.V4) {
            long v = a.lo();
            return ((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
        }
        int[] g = new int[8];
        for (int k = 0; k < 4; k++) {
            g[k] = (int) ((a.hi() >>> (48 - 16 * k)) & 0xFFFF);
            g[k + 4] = (int) ((a.lo() >>> (48 - 16 * k)) & 0xFFFF);
        }
        // RFC 5952: compress the longest run (first if tied) of two or more zero groups.
        int bestStart = -1;
        int bestLen = 1;
        for (int k = 0; k < 8; ) {
            if (g[k] != 0) {
                k++;
                continue;
            }
            int j = k;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - k > bestLen) {
                bestStart = k;
                bestLen = j - k;
            }
            k = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                sb.append("::");
                k += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[k]));
        }
        return sb.toString();
    }
}
