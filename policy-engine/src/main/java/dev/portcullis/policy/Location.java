package dev.portcullis.policy;

import java.util.Objects;

/** A place in a source text: its name (usually a file path), and a 1-based line and column. */
public record Location(String source, int line, int column) {

    public Location {
        Objects.requireNonNull(source, "source");
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
        }
    }

    /** {@code source:line:column}, the form editors and compilers use. */
    @Override
    public String toString() {
        return source + ":" + line + ":" + column;
    }
}
