package dev.portcullis.router;

import java.util.List;

/** What a policy apply changed: listeners bound and closed, services rebuilt, connections closed as denied. */
public record ReloadReport(long revision, List<ListenerKey> added, List<ListenerKey> removed,
                           List<String> servicesRebuilt, int connectionsClosed) {

    public ReloadReport {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        servicesRebuilt = List.copyOf(servicesRebuilt);
    }

    @Override
    public String toString() {
        return "revision " + revision + ": +" + added + " -" + removed + ", rebuilt " + servicesRebuilt
                + ", closed " + connectionsClosed + " denied connections";
    }
}
