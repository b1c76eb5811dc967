package dev.portcullis.router;

/**
 * JSON string literals for the log lines the appliance writes (decision log, audit log): quotes, backslashes and
 * control characters escaped, so that a name or a command cannot break a line or forge a field.
 */
public final class JsonStrings {

    private JsonStrings() {
    }

    /** Appends {@code s} to {@code sb} as a JSON string literal, quotes included. */
    public static void append(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
