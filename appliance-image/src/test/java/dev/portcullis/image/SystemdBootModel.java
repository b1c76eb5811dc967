package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What systemd-boot does with {@code loader/entries/} at power-on, for tests: read every {@code *.conf}, sort them
 * as its {@code boot_entry_compare} does (entries with no tries left last; then sort-key ascending; then version
 * descending; then file name descending), pick the first, and when its name has a counter, rename it with one try
 * less and one more done before booting it. Versions here are plain integers, so "descending" is numeric.
 */
final class SystemdBootModel {

    private static final Pattern COUNTER = Pattern.compile("^(.*?)(?:\\+(\\d+)(?:-(\\d+))?)?\\.conf$");

    private record Entry(Path file, int triesLeft, int triesDone, String sortKey, long version) {
    }

    private SystemdBootModel() {
    }

    /** Boots: returns the slot of the chosen entry (from its options), having renamed the entry as the loader does. */
    static Optional<Slot> boot(EspLayout esp) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(esp.entries(), "*.conf")) {
            for (Path p : dir) {
                Matcher m = COUNTER.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                int left = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
                int done = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
                String text = Files.readString(p);
                entries.add(new Entry(p, left, done, field(text, "sort-key").orElse(""),
                        field(text, "version").map(Long::parseLong).orElse(0L)));
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> e.triesLeft() == 0)
                .thenComparing(Entry::sortKey)
                .thenComparing(Comparator.comparingLong(Entry::version).reversed())
                .thenComparing(Comparator.comparing((Entry e) -> e.file().getFileName().toString()).reversed()));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Entry chosen = entries.getFirst();
        String text = Files.readString(chosen.file());
        if (chosen.triesLeft() > 0) {
            Matcher m = COUNTER.matcher(chosen.file().getFileName().toString());
            m.matches();
            Files.move(chosen.file(), chosen.file().resolveSibling(m.group(1) + "+" + (chosen.triesLeft() - 1) + "-"
                    + (chosen.triesDone() + 1) + ".conf"));
        }
        return field(text, "options").flatMap(o -> KernelCommandLine.slot(o));
    }

    private static Optional<String> field(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key + " ")) {
                return Optional.of(line.substring(key.length() + 1).strip());
            }
        }
        return Optional.empty();
    }
}
