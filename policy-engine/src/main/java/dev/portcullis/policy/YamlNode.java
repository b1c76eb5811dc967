package dev.portcullis.policy;

import java.util.List;

/**
 * A YAML node as the policy reader sees it: a scalar, a sequence or a mapping, each with the place it starts.
 * Built by {@link YamlTreeReader}; no node ever constructs an application object from a tag.
 */
sealed interface YamlNode {

    Location location();

    /** A short name of the node's kind, for messages: "a scalar", "a list", "a mapping". */
    String kind();

    /**
     * A scalar: its text as written (after YAML unescaping) and whether it was plain (unquoted), which decides
     * whether {@code null}, {@code ~} and the empty text mean "no value".
     */
    record Scalar(String value, boolean plain, Location location) implements YamlNode {
        @Override
        public String kind() {
            return isNull() ? "an empty value" : "a scalar";
        }

        /** YAML 1.2 core schema null: an unquoted empty value, {@code null}, {@code Null}, {@code NULL} or {@code ~}. */
        public boolean isNull() {
            return plain && switch (value) {
                case "", "~", "null", "Null", "NULL" -> true;
                default -> false;
            };
        }
    }

    record Sequence(List<YamlNode> items, Location location) implements YamlNode {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** One key and its value, in the order written. */
    record Entry(Scalar key, YamlNode value) {
    }

    record Mapping(List<Entry> entries, Location location) implements YamlNode {
        @Override
        public String kind() {
            return "a mapping";
        }
    }
}
