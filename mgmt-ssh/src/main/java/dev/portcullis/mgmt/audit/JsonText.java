package dev.portcullis.mgmt.audit;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Writes JSON text from plain Java values: null, strings, numbers, booleans, {@link Instant} (as its ISO text),
 * {@link Optional} (its value or null), maps (objects, keys as strings, in the map's order) and collections
 * (arrays). Anything else is written as its {@code toString()} in a string. The console's {@code | json} output
 * and the audit lines both use it.
 */
public final class JsonText {

    private JsonText() {
    }

    /** The JSON text of {@code value}. */
    public static String of(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    public static void write(StringBuilder sb, Object value) {
        switch (value) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case Double d when d.isNaN() || d.isInfinite() -> sb.append("null");
            case Number n -> sb.append(n);
            case Optional<?> o -> write(sb, o.orElse(null));
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case Collection<?> c -> {
                sb.append('[');
                boolean first = true;
                for (Object o : c) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    write(sb, o);
                }
                sb.append(']');
            }
            default -> string(sb, value.toString());
        }
    }

    /** Appends {@code s} as a JSON string, escaping quotes, backslashes and control characters. */
    public static void string(StringBuilder sb, String s) {
        dev.portcullis.router.JsonStrings.append(sb, s);
    }
}
