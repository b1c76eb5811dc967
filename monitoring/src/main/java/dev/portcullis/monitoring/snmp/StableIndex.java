package dev.portcullis.monitoring.snmp;

import java.util.HashMap;
import java.util.Map;

/**
 * Table indexes that stay with a name: the first time a name is seen it gets the next number (from 1), and keeps it
 * for the life of the process, across reloads, even while it is absent from the policy (so a rule removed and
 * added back gets its old row again). Starting the same policy gives the same indexes, since they are handed out
 * in policy order.
 *
 * <p>Threading: synchronized. Holds one entry per name ever seen; names are bounded by the policies loaded.
 */
final class StableIndex {

    private final Map<String, Integer> indexes = new HashMap<>();

    synchronized int of(String name) {
        return indexes.computeIfAbsent(name, n -> {
            if (indexes.size() == Integer.MAX_VALUE) {
                throw new IllegalStateException("no index left for " + n);
            }
            return indexes.size() + 1;
        });
    }

    /** The index of {@code name} if it has one, else 0. */
    synchronized int peek(String name) {
        return indexes.getOrDefault(name, 0);
    }
}
