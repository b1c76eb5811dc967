package dev.portcullis.mgmt.config;

import java.util.List;
import java.util.Objects;

/**
 * A node of a candidate's YAML tree, with the span of text it was read from, so that an edit can change that span
 * and leave the rest of the text (comments, layout) as it was.
 *
 * <p>Spans are {@code [start, end)} char indices into the text the node was parsed from. A block collection spans
 * from its first child to the end of its last; a flow collection includes its brackets. Nodes made by an edit
 * rather than read from text have the span {@code [-1, -1)}. Equality of content, ignoring spans and styles, is
 * {@link #sameContent}.
 */
sealed interface YamlNode {

    int start();

    int end();

    /** Whether the node was read from text (it has a span). */
    default boolean located() {
        return start() >= 0;
    }

    /**
     * A scalar: its value after YAML unescaping, and whether it was written plain (unquoted), which decides whether
     * {@code null}, {@code ~} and the empty text mean "no value".
     */
    record Scalar(String value, boolean plain, int start, int end) implements YamlNode {
        public Scalar {
            Objects.requireNonNull(value, "value");
        }

        static Scalar of(String value) {
            return new Scalar(value, true, -1, -1);
        }

        /** YAML 1.2 core schema null: an unquoted empty value, {@code null}, {@code Null}, {@code NULL} or {@code ~}. */
        boolean isNull() {
            return plain && isNullWord(value);
        }

        static boolean isNullWord(String value) {
            return switch (value) {
                case "", "~", "null", "Null", "NULL" -> true;
                default -> false;
            };
        }
    }

    /** A list, written in flow style ({@code [a, b]}) or block style ({@code - a}). */
    record Sequence(List<YamlNode> items, boolean flow, int start, int end) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        static Sequence of(List<YamlNode> items) {
            return new Sequence(items, true, -1, -1);
        }
    }

    /** One key and its value, in the order written. */
    record Entry(Scalar key, YamlNode value) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A mapping, written in flow style ({@code {a: 1}}) or block style. Keys are unique scalars. */
    record Mapping(List<Entry> entries, boolean flow, int start, int end) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        static Mapping of(List<Entry> entries) {
            return new Mapping(entries, true, -1, -1);
        }

        /** The index of the entry with key {@code key}, or -1. */
        int indexOf(String key) {
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).key().value().equals(key)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Whether two trees hold the same content: the same values, lists and keys in the same order. */
    static boolean sameContent(YamlNode a, YamlNode b) {
        return switch (a) {
            case Scalar x -> b instanceof Scalar y && x.isNull() == y.isNull()
                    && (x.isNull() || x.value().equals(y.value()));
            case Sequence x -> {
                if (!(b instanceof Sequence y) || x.items().size() != y.items().size()) {
                    yield false;
                }
                for (int i = 0; i < x.items().size(); i++) {
                    if (!sameContent(x.items().get(i), y.items().get(i))) {
                        yield false;
                    }
                }
                yield true;
            }
            case Mapping x -> {
                if (!(b instanceof Mapping y) || x.entries().size() != y.entries().size()) {
                    yield false;
                }
                for (int i = 0; i < x.entries().size(); i++) {
                    Entry e = x.entries().get(i);
                    Entry f = y.entries().get(i);
                    if (!e.key().value().equals(f.key().value()) || !sameContent(e.value(), f.value())) {
                        yield false;
                    }
                }
                yield true;
            }
        };
    }
}
