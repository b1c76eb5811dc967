package dev.portcullis.policy.classifier;

import java.util.Arrays;

/** A growable list of ints for building flat arrays. Build-time only, not thread-safe. */
final class IntList {

    private int[] items = new int[64];
    private int size;

    int size() {
        return size;
    }

    void add(int v) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = v;
    }

    /** Appends {@code count} zeros and returns the index of the first. */
    int reserve(int count) {
        int at = size;
        if (size + count > items.length) {
            items = Arrays.copyOf(items, Math.max(items.length * 2, size + count));
        }
        size += count;
        return at;
    }

    void set(int index, int v) {
        items[index] = v;
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
