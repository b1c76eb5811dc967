package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The package sources the build host's apt uses: {@code sources.list} and {@code sources.list.d/*.list} (one-line
 * form) and {@code sources.list.d/*.sources} (deb822 form), read as apt reads them (other file names are ignored,
 * as are {@code deb-src} entries and deb822 stanzas with {@code Enabled: no}). The image is built from the same
 * mirror, so no file of ours names one.
 */
public final class AptSources {

    /** One {@code deb} source: a URI and the suites and components taken from it. */
    public record Source(String uri, List<String> suites, List<String> components, String origin) {
        public Source {
            suites = List.copyOf(suites);
            components = List.copyOf(components);
        }
    }

    private AptSources() {
    }

    /** Every {@code deb} source under {@code etcApt} (normally {@code /etc/apt}), in the order apt reads them. */
    public static List<Source> read(Path etcApt) throws IOException {
        List<Source> out = new ArrayList<>();
        Path list = etcApt.resolve("sources.list");
        if (Files.isRegularFile(list)) {
            out.addAll(oneLine(list));
        }
        Path d = etcApt.resolve("sources.list.d");
        if (Files.isDirectory(d)) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
                s.forEach(files::add);
            }
            files.sort(null);
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".list")) {
                    out.addAll(oneLine(f));
                } else if (name.endsWith(".sources")) {
                    out.addAll(deb822(f));
                }
            }
        }
        return out;
    }

    static List<Source> oneLine(Path file) throws IOException {
        List<Source> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.contains("[")) {
                int close = line.indexOf(']');
                if (close < 0) {
                    throw new IOException(file + ":" + (i + 1) + ": '[' without ']'");
                }
                line = line.substring(0, line.indexOf('[')) + line.substring(close + 1);
            }
            String[] f = line.strip().split("\\s+");
            if (!f[0].equals("deb")) {
                continue;
            }
            if (f.length < 3) {
                throw new IOException(file + ":" + (i + 1) + ": expected 'deb URI SUITE [COMPONENT...]'");
            }
            out.add(new Source(f[1], List.of(f[2]), Arrays.asList(f).subList(3, f.length), file + ":" + (i + 1)));
        }
        return out;
    }

    static List<Source> deb822(Path file) throws IOException {
        List<Source> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        List<String> stanza = new ArrayList<>();
        int start = 1;
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : "";
            if (line.isBlank()) {
                if (!stanza.isEmpty()) {
                    stanza(file, start, stanza).ifPresent(out::add);
                    stanza.clear();
                }
                start = i + 2;
            } else if (!line.startsWith("#")) {
                stanza.add(line);
            }
        }
        return out;
    }

    private static Optional<Source> stanza(Path file, int line, List<String> lines) throws IOException {
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        String last = null;
        for (String l : lines) {
            if (Character.isWhitespace(l.charAt(0)) && last != null) {
                fields.merge(last, " " + l.strip(), String::concat);
                continue;
            }
            int colon = l.indexOf(':');
            if (colon < 0) {
                throw new IOException(file + ": stanza at line " + line + ": '" + l + "' is not 'Field: value'");
            }
            last = l.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            fields.put(last, l.substring(colon + 1).strip());
        }
        if (fields.getOrDefault("enabled", "yes").equalsIgnoreCase("no")) {
            return Optional.empty();
        }
        List<String> types = words(fields.get("types"));
        if (!types.contains("deb")) {
            return Optional.empty();
        }
        List<String> uris = words(fields.get("uris"));
        List<String> suites = words(fields.get("suites"));
        if (uris.isEmpty() || suites.isEmpty()) {
            throw new IOException(file + ": stanza at line " + line + " lacks URIs or Suites");
        }
        return Optional.of(new Source(uris.getFirst(), suites, words(fields.get("components")),
                file + ":" + line));
    }

    private static List<String> words(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.strip().split("\\s+"));
    }

    /**
     * The sources to build from: those of the first release suite (one without a dash, like {@code bookworm}) that
     * has {@code main}, plus its {@code -updates} and {@code -security} suites where the host has them, as
     * {@code deb URI SUITE main} lines for mmdebstrap. Fails naming the files read when there is none.
     */
    public static List<String> debianLines(List<Source> sources, Path etcApt) throws IOException {
        Source base = sources.stream()
                .filter(s -> s.components().contains("main") && s.suites().stream().anyMatch(x -> !x.contains("-")))
                .findFirst()
                .orElseThrow(() -> new IOException("no Debian release suite with 'main' in " + etcApt
                        + "/sources.list or sources.list.d/*.list, *.sources; pass --mirror URL (and --suite)"));
        String suite = base.suites().stream().filter(x -> !x.contains("-")).findFirst().orElseThrow();
        List<String> lines = new ArrayList<>();
        for (Source s : sources) {
            for (String x : s.suites()) {
                if ((x.equals(suite) || x.equals(suite + "-updates") || x.equals(suite + "-security"))
                        && s.components().contains("main")) {
                    String line = "deb " + s.uri() + " " + x + " main";
                    if (!lines.contains(line)) {
                        lines.add(line);
                    }
                }
            }
        }
        return lines;
    }

    /** The release suite of {@link #debianLines}' first line. */
    static String suiteOf(List<String> lines) {
        return lines.getFirst().split(" ")[2];
    }
}
