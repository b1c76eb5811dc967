package dev.portcullis.mgmt.config;

import java.util.regex.Pattern;

/**
 * Writes {@link YamlNode} trees as YAML text: values in flow style for edits ({@code [a, b]}, {@code {k: v}}), and
 * whole documents in a canonical block layout when an edit cannot keep the candidate's own layout.
 *
 * <p>Scalars are written plain when that is unambiguous in both block and flow context, and double-quoted
 * otherwise; a quoted scalar that would read as null, a boolean or a number if plain stays quoted, so a value
 * keeps its YAML type. Stateless; thread-safe.
 */
final class YamlWriter {

    /** Plain scalars the YAML 1.2 core schema reads as null, booleans or numbers. */
    private static final Pattern NON_TEXT = Pattern.compile(
            "~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
            + "|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
            + "|[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?"
            + "|[-+]?\\.(inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN");

    private YamlWriter() {
    }

    /** A value in flow style, on one line. */
    static String flow(YamlNode node) {
        StringBuilder sb = new StringBuilder();
        flow(node, sb);
        return sb.toString();
    }

    private static void flow(YamlNode node, StringBuilder sb) {
        switch (node) {
            case YamlNode.Scalar s -> sb.append(scalar(s));
            case YamlNode.Sequence s -> {
                sb.append('[');
                for (int i = 0; i < s.items().size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    flow(s.items().get(i), sb);
                }
                sb.append(']');
            }
            case YamlNode.Mapping m -> {
                sb.append('{');
                for (int i = 0; i < m.entries().size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    YamlNode.Entry e = m.entries().get(i);
                    sb.append(scalar(e.key())).append(": ");
                    flow(e.value(), sb);
                }
                sb.append('}');
            }
        }
    }

    /**
     * A whole document in block layout: mappings and lists of mappings in block style, lists of plain values in
     * flow style, a blank line between top-level sections.
     */
    static String document(YamlNode root) {
        StringBuilder sb = new StringBuilder();
        if (root instanceof YamlNode.Mapping m && !m.entries().isEmpty()) {
            for (int i = 0; i < m.entries().size(); i++) {
                if (i > 0 && !(m.entries().get(i).value() instanceof YamlNode.Scalar)) {
                    sb.append('\n');
                }
                entry(m.entries().get(i), 0, sb);
            }
        } else if (root instanceof YamlNode.Sequence s && !s.items().isEmpty()) {
            blockSequence(s, 0, sb);
        } else {
            flow(root, sb);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void entry(YamlNode.Entry e, int indent, StringBuilder sb) {
        sb.repeat(' ', indent).append(scalar(e.key())).append(':');
        value(e.value(), indent, sb);
    }

    /** The rest of a line after {@code key:} or {@code -}: a flow value, or a block below it. */
    private static void value(YamlNode v, int indent, StringBuilder sb) {
        if (isFlat(v)) {
            sb.append(' ');
            flow(v, sb);
            sb.append('\n');
        } else if (v instanceof YamlNode.Mapping m) {
            sb.append('\n');
            for (YamlNode.Entry e : m.entries()) {
                entry(e, indent + 2, sb);
            }
        } else {
            sb.append('\n');
            blockSequence((YamlNode.Sequence) v, indent + 2, sb);
        }
    }

    private static void blockSequence(YamlNode.Sequence s, int indent, StringBuilder sb) {
        for (YamlNode item : s.items()) {
            sb.repeat(' ', indent).append('-');
            if (item instanceof YamlNode.Mapping m && !m.entries().isEmpty()) {
                // the first key on the dash's line, the others below it
                sb.append(' ');
                YamlNode.Entry first = m.entries().getFirst();
                sb.append(scalar(first.key())).append(':');
                value(first.value(), indent + 2, sb);
                for (YamlNode.Entry e : m.entries().subList(1, m.entries().size())) {
                    entry(e, indent + 2, sb);
                }
            } else {
                value(item, indent, sb);
            }
        }
    }

    /** Scalars, empty collections and lists of scalars: written in flow style on their key's line. */
    private static boolean isFlat(YamlNode v) {
        return switch (v) {
            case YamlNode.Scalar s -> true;
            case YamlNode.Sequence s -> s.items().stream().allMatch(i -> i instanceof YamlNode.Scalar);
            case YamlNode.Mapping m -> m.entries().isEmpty();
        };
    }

    /** A scalar as YAML text: plain when safe, else double-quoted. */
    static String scalar(YamlNode.Scalar s) {
        if (s.isNull()) {
            return "null";
        }
        String v = s.value();
        if (plainSafe(v) && (s.plain() || !resolvesAsNonText(v))) {
            return v;
        }
        return quoted(v);
    }

    /**
     * Whether a plain scalar with this text would be read as something other than text under the YAML 1.2 core
     * schema (null, a boolean, a number): a quoted one stays quoted, so it keeps its type.
     */
    static boolean resolvesAsNonText(String v) {
        return NON_TEXT.matcher(v).matches();
    }

    /**
     * Whether {@code v} reads back as the same text when written plain, in block and in flow context alike: no
     * leading indicator, no flow indicators, no {@code ": "} or {@code " #"}, no control characters, no surrounding
     * spaces, and not a null word or a document marker.
     */
    static boolean plainSafe(String v) {
        if (v.isEmpty() || YamlNode.Scalar.isNullWord(v) || v.startsWith("...")) {
            return false;
        }
        char first = v.charAt(0);
        if ("?:,[]{}#&*!|>'\"%@`".indexOf(first) >= 0 || first == ' ' || v.charAt(v.length() - 1) == ' '
                || v.endsWith(":")) {
            return false;
        }
        if (first == '-' && (v.length() == 1 || v.charAt(1) == ' ' || v.startsWith("---"))) {
            return false; // a list item's dash, or a document marker
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0xFEFF
                    || ",[]{}".indexOf(c) >= 0) {
                return false;
            }
            if (c == ':' && i + 1 < v.length() && v.charAt(i + 1) == ' ') {
                return false;
            }
            if (c == '#' && v.charAt(i - 1) == ' ') {
                return false;
            }
        }
        return true;
    }

    /** {@code v} in double quotes, with backslash escapes for quotes, backslashes and non-printable characters. */
    static String quoted(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 2).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029
                            || c == 0xFEFF) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
