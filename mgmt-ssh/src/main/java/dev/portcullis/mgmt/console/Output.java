package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.audit.JsonText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a command answers, as data: rendered as aligned text for people, or as JSON after {@code | json}.
 *
 * <pre>{@code
 * new Output.Table(List.of("name", "hits"), List.of(List.of("web", 12L)))
 *   text:  name  hits        json: [{"name":"web","hits":12}]
 *          web     12
 * }</pre>
 */
public sealed interface Output {

    /** The output as text for a terminal; every line ends with a newline. */
    String text();

    /** The output as one JSON value. */
    Object json();

    default String jsonText() {
        return JsonText.of(json()) + "\n";
    }

    /** Nothing to show: an empty line for text, {@code {}} for JSON. */
    Output NONE = new Message("");

    /** A sentence, such as "cleared 3 connections". JSON: {@code {"message": "..."}}. */
    record Message(String message) implements Output {
        @Override
        public String text() {
            return message.isEmpty() ? "" : message + "\n";
        }

        @Override
        public Object json() {
            return message.isEmpty() ? Map.of() : Map.of("message", message);
        }
    }

    /** Preformatted text, such as a policy file or a diff. JSON: {@code {"text": "..."}}. */
    record Text(String body) implements Output {
        @Override
        public String text() {
            return body.isEmpty() || body.endsWith("\n") ? body : body + "\n";
        }

        @Override
        public Object json() {
            return Map.of("text", body);
        }
    }

    /**
     * A document with a title, such as a policy revision: the text shows {@code # TITLE} then the body; JSON is
     * the fields with the body under {@code "text"}.
     */
    record Document(String title, Map<String, Object> fields, String body) implements Output {
        public Document {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        @Override
        public String text() {
            return "# " + title + "\n" + (body.isEmpty() || body.endsWith("\n") ? body : body + "\n");
        }

        @Override
        public Object json() {
            Map<String, Object> m = new LinkedHashMap<>(fields);
            m.put("text", body);
            return m;
        }
    }

    /** Lines read from a log. JSON: an array of strings. */
    record Lines(List<String> lines) implements Output {
        public Lines {
            lines = List.copyOf(lines);
        }

        @Override
        public String text() {
            StringBuilder sb = new StringBuilder();
            lines.forEach(l -> sb.append(l).append('\n'));
            return sb.toString();
        }

        @Override
        public Object json() {
            return lines;
        }
    }

    /** Named values, one a line. JSON: an object. Values may be null (shown as "-"). */
    record Fields(Map<String, Object> fields) implements Output {
        public Fields {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        /** Fields from alternating names and values. */
        public static Fields of(Object... namesAndValues) {
            if (namesAndValues.length % 2 != 0) {
                throw new IllegalArgumentException("Fields.of needs name, value pairs; got " + namesAndValues.length
                        + " items");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < namesAndValues.length; i += 2) {
                m.put((String) namesAndValues[i], namesAndValues[i + 1]);
            }
            return new Fields(m);
        }

        @Override
        public String text() {
            int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
            StringBuilder sb = new StringBuilder();
            fields.forEach((k, v) -> sb.append(k).append(':').append(" ".repeat(width - k.length() + 1))
                    .append(cell(v)).append('\n'));
            return sb.toString();
        }

        @Override
        public Object json() {
            return fields;
        }
    }

    /** Rows under named columns. Numbers are right-aligned. JSON: an array of objects keyed by column. */
    record Table(List<String> columns, List<List<Object>> rows) implements Output {
        public Table {
            columns = List.copyOf(columns);
            List<List<Object>> copy = new ArrayList<>();
            for (List<Object> r : rows) {
                if (r.size() != columns.size()) {
                    throw new IllegalArgumentException("a row of " + r.size() + " cells under " + columns.size()
                            + " columns " + columns);
                }
                copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(r)));
            }
            rows = List.copyOf(copy);
        }

        /** One row; cells may be null (shown as "-"). */
        public static List<Object> row(Object... cells) {
            return java.util.Arrays.asList(cells);
        }

        @Override
        public String text() {
            int[] width = new int[columns.size()];
            for (int c = 0; c < width.length; c++) {
                width[c] = columns.get(c).length();
                for (List<Object> r : rows) {
                    width[c] = Math.max(width[c], cell(r.get(c)).length());
                }
            }
            StringBuilder sb = new StringBuilder();
            row(sb, new ArrayList<>(columns), width, false);
            for (List<Object> r : rows) {
                row(sb, r, width, true);
            }
            return sb.toString();
        }

        private static void row(StringBuilder sb, List<Object> r, int[] width, boolean alignNumbers) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < width.length; c++) {
                String s = cell(r.get(c));
                boolean right = alignNumbers && r.get(c) instanceof Number;
                if (c > 0) {
                    line.append("  ");
                }
                if (right) {
                    line.append(" ".repeat(width[c] - s.length())).append(s);
                } else {
                    line.append(s).append(" ".repeat(width[c] - s.length()));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }

        @Override
        public Object json() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (List<Object> r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int c = 0; c < columns.size(); c++) {
                    m.put(columns.get(c), r.get(c));
                }
                out.add(m);
            }
            return out;
        }
    }

    /** Several outputs under headings, such as a diff and a table of verdict changes. JSON: an object of parts. */
    record Sections(Map<String, Output> parts) implements Output {
        public Sections {
            parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        }

        @Override
        public String text() {
            StringBuilder sb = new StringBuilder();
            parts.forEach((name, part) -> {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append("== ").append(name).append('\n').append(part.text());
            });
            return sb.toString();
        }

        @Override
        public Object json() {
            Map<String, Object> m = new LinkedHashMap<>();
            parts.forEach((name, part) -> m.put(name, part.json()));
            return m;
        }
    }

    /** A cell's text: "-" for null or empty, the value of an Optional, else toString. */
    static String cell(Object v) {
        if (v instanceof Optional<?> o) {
            v = o.orElse(null);
        }
        if (v == null) {
            return "-";
        }
        String s = v.toString();
        return s.isEmpty() ? "-" : s;
    }
}
