package dev.portcullis.image;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code show system software} as text.
 *
 * <pre>
 * slot  version                    built                 state     notes
 * a     0.1.0+g1a2b3c4d5e6f        2026-11-28 09:10 UTC  good      running
 * b     0.2.0+g5d6e7f8a9b0c        2026-11-29 10:00 UTC  untried   boots next
 * </pre>
 */
public final class SoftwareTable {

    private static final DateTimeFormatter BUILT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private SoftwareTable() {
    }

    public static String format(List<SlotStatus> slots) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"slot", "version", "built", "state", "notes"});
        for (SlotStatus s : slots) {
            List<String> notes = new ArrayList<>();
            if (s.running()) {
                notes.add("running");
            }
            if (s.bootsNext()) {
                notes.add("boots next");
            }
            rows.add(new String[] {s.slot().id(), s.software().map(m -> m.version().toString()).orElse("-"),
                s.software().map(m -> BUILT.format(m.buildTime())).orElse("-"), s.health().label(),
                String.join(", ", notes)});
        }
        int[] width = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
