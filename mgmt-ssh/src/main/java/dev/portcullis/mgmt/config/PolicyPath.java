package dev.portcullis.mgmt.config;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A path into the policy tree, as {@code set} and {@code delete} take it: keys separated by dots, and list entries
 * named by their {@code name} (rules, cluster nodes) or, in lists of plain values, by the value itself.
 *
 * <pre>
 * services.web.listen                  the listen list of service web
 * rules.allow-web.action               the action of the rule named allow-web
 * cluster.nodes.worker1.podCIDR        a node's podCIDR
 * rules[web.v2].destinationPorts       brackets hold a segment with dots in it
 * services.web.endpoints[10.244.1.5:8443]   one value of a list (for delete)
 * sets."odd]name"                      double quotes hold anything, with \" and \\ escaped
 * </pre>
 *
 * A segment is a run of characters other than {@code .}, {@code [}, {@code ]}, {@code "} and white space; or
 * {@code [TEXT]} with any characters but {@code ]}; or a double-quoted string. A bracketed or quoted segment may
 * follow another segment without a dot. The empty path (the whole policy) is never parsed; it is the prefix that
 * messages call "the policy". Immutable.
 */
record PolicyPath(List<String> segments) {

    PolicyPath {
        segments = List.copyOf(segments);
    }

    /**
     * Parses a path.
     *
     * @throws ConfigException ({@link ConfigException.Kind#BAD_PATH}) saying at which character and why
     */
    static PolicyPath parse(String text) throws ConfigException {
        String t = text.strip();
        if (t.isEmpty()) {
            throw bad(text, 0, "a path is needed, like rules.allow-web.action");
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        boolean needSegment = true;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '.') {
                if (needSegment) {
                    throw bad(t, i, "an empty segment before '.'");
                }
                needSegment = true;
                i++;
                if (i == t.length()) {
                    throw bad(t, i, "the path ends with '.'");
                }
                continue;
            }
            if (c == '[') {
                int close = t.indexOf(']', i + 1);
                if (close < 0) {
                    throw bad(t, i, "'[' without its ']'");
                }
                if (close == i + 1) {
                    throw bad(t, i, "an empty segment '[]'");
                }
                out.add(t.substring(i + 1, close));
                i = close + 1;
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= t.length()) {
                        throw bad(t, i, "a '\"' without its closing '\"'");
                    }
                    char d = t.charAt(j);
                    if (d == '"') {
                        break;
                    }
                    if (d == '\\' && j + 1 < t.length() && (t.charAt(j + 1) == '"' || t.charAt(j + 1) == '\\')) {
                        sb.append(t.charAt(j + 1));
                        j += 2;
                    } else {
                        sb.append(d);
                        j++;
                    }
                }
                if (sb.isEmpty()) {
                    throw bad(t, i, "an empty segment '\"\"'");
                }
                out.add(sb.toString());
                i = j + 1;
            } else if (!needSegment) {
                throw bad(t, i, "'" + c + "' where a '.' or the end of the path was expected");
            } else {
                int j = i;
                while (j < t.length() && ".[]\"".indexOf(t.charAt(j)) < 0 && !Character.isWhitespace(t.charAt(j))) {
                    j++;
                }
                if (j == i) {
                    throw bad(t, i, "'" + c + "' cannot start a segment");
                }
                out.add(t.substring(i, j));
                i = j;
            }
            needSegment = false;
        }
        return new PolicyPath(out);
    }

    private static ConfigException bad(String text, int at, String why) {
        return new ConfigException(ConfigException.Kind.BAD_PATH, "path '" + text + "', character " + (at + 1) + ": "
                + why);
    }

    int size() {
        return segments.size();
    }

    String segment(int i) {
        return segments.get(i);
    }

    /** The first {@code n} segments. */
    PolicyPath prefix(int n) {
        return new PolicyPath(segments.subList(0, n));
    }

    /** The path written back in the syntax above: bare where possible, bracketed or quoted where needed. */
    @Override
    public String toString() {
        if (segments.isEmpty()) {
            return "the policy";
        }
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            boolean bare = !s.isEmpty() && s.chars().noneMatch(c -> ".[]\"".indexOf(c) >= 0 || Character.isWhitespace(c));
            if (bare) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(s);
            } else if (s.indexOf(']') < 0 && s.indexOf('"') < 0 && !sb.isEmpty()) {
                sb.append('[').append(s).append(']');
            } else {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.toString();
    }

    /** The segments joined with dots, for matching known paths such as {@code cluster.nodes}. */
    String dotted() {
        return segments.stream().collect(Collectors.joining("."));
    }
}
