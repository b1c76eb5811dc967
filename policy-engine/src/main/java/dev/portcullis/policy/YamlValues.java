package dev.portcullis.policy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of YAML nodes for the policy and appliance readers: each returns the value, or reports an error at
 * the node's place and returns empty. Not thread-safe; shares its owner's {@link Diagnostics}.
 */
final class YamlValues {

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    private final Diagnostics diagnostics;

    YamlValues(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /**
     * Checks that {@code node} is a mapping with only {@code allowed} keys (an unknown one is reported with the
     * closest valid key) and every {@code required} key; returns its entries by key, or null (error reported)
     * when it is not a mapping.
     */
    Map<String, YamlNode.Entry> fields(YamlNode node, String what, Set<String> allowed, Set<String> required) {
        if (!(node instanceof YamlNode.Mapping m)) {
            diagnostics.error(node.location(), what + " must be a mapping of keys to values, not " + node.kind());
            return null;
        }
        Map<String, YamlNode.Entry> out = new LinkedHashMap<>();
        for (YamlNode.Entry e : m.entries()) {
            String key = e.key().value();
            if (!allowed.contains(key)) {
                diagnostics.error(e.key().location(), "unknown key '" + key + "' in " + what,
                        Suggestions.closest(key, allowed).map(s -> "did you mean '" + s + "'?")
                                .orElse("valid keys here: " + String.join(", ", allowed)));
                continue;
            }
            out.put(key, e);
        }
        for (String r : required) {
            if (!out.containsKey(r)) {
                diagnostics.error(node.location(), what + " has no '" + r + "'");
            }
        }
        return out;
    }

    /** A scalar's text; empty (error reported) for a list, a mapping or an empty value. */
    Optional<String> text(YamlNode node, String what) {
        if (node instanceof YamlNode.Scalar s && !s.isNull()) {
            return Optional.of(s.value().strip());
        }
        diagnostics.error(node.location(), what + " must be a single value, not " + node.kind());
        return Optional.empty();
    }

    /** {@code true} or {@code false} (YAML 1.2: yes/no/on/off are text and are refused with a hint). */
    Optional<Boolean> bool(YamlNode node, String what) {
        Optional<String> t = text(node, what);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        return switch (t.get()) {
            case "true", "True", "TRUE" -> Optional.of(true);
            case "false", "False", "FALSE" -> Optional.of(false);
            default -> {
                diagnostics.error(node.location(), what + " must be true or false, not '" + t.get() + "'",
                        "YAML 1.2 reads yes/no/on/off as text, not as booleans");
                yield Optional.empty();
            }
        };
    }

    /** A positive duration with a unit: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    Optional<Duration> duration(YamlNode node, String what) {
        Optional<String> t = text(node, what);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(t.get());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            diagnostics.error(node.location(), what + " '" + t.get() + "' is not a positive duration",
                    "write a number and a unit: 500ms, 5s, 2m or 1h");
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        });
    }

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,9})(B|KB|MB|GB)");

    /** A size in bytes with a unit ({@code 512KB}, {@code 10MB}, {@code 1GB}; 1 KB = 1024 bytes), at least min. */
    Optional<Long> size(YamlNode node, String what, long min) {
        Optional<String> t = text(node, what);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = SIZE.matcher(t.get());
        long bytes = -1;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            bytes = switch (m.group(2)) {
                case "B" -> n;
                case "KB" -> n << 10;
                case "MB" -> n << 20;
                default -> n << 30;
            };
        }
        if (bytes < min) {
            diagnostics.error(node.location(), what + " '" + t.get() + "' is not a size of at least " + min
                    + " bytes", "write a number and a unit: 512KB, 10MB or 1GB");
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    /** A whole number within {@code min..max}. */
    Optional<Integer> count(YamlNode node, String what, int min, int max) {
        Optional<String> t = text(node, what);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        String s = t.get();
        boolean digits = !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || Long.parseLong(s) < min || Long.parseLong(s) > max) {
            diagnostics.error(node.location(), what + " '" + s + "' is not a whole number from " + min + " to " + max);
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(s));
    }
}
