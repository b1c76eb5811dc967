package dev.portcullis.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A software version in Semantic Versioning 2.0 form, {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}, ordered by
 * semver precedence: build metadata is ignored, a pre-release sorts before its release, and pre-release identifiers
 * compare numerically when both are numbers, else as text, with numbers before text.
 *
 * <pre>
 * SoftwareVersion.parse("0.2.0-rc.1+g1a2b3c4").compareTo(SoftwareVersion.parse("0.2.0")) &lt; 0
 * </pre>
 */
public record SoftwareVersion(long major, long minor, long patch, List<String> preRelease, String build)
        implements Comparable<SoftwareVersion> {

    private static final Pattern FORM = Pattern.compile(
            "(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})"
                    + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?");
    private static final Pattern NUMERIC = Pattern.compile("\\d+");

    public SoftwareVersion {
        preRelease = List.copyOf(preRelease);
        Objects.requireNonNull(build, "build");
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming it when it is not a semantic version. */
    public static SoftwareVersion parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a version of the form MAJOR.MINOR.PATCH"
                    + "[-PRERELEASE][+BUILD], e.g. 0.2.0 or 0.2.0-rc.1+g1a2b3c4");
        }
        List<String> pre = new ArrayList<>();
        if (m.group(4) != null) {
            for (String id : m.group(4).split("\\.")) {
                if (id.length() > 1 && id.startsWith("0") && NUMERIC.matcher(id).matches()) {
                    throw new IllegalArgumentException("'" + text + "': numeric pre-release identifier '" + id
                            + "' has a leading zero");
                }
                pre.add(id);
            }
        }
        return new SoftwareVersion(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                Long.parseLong(m.group(3)), pre, m.group(5) == null ? "" : m.group(5));
    }

    @Override
    public int compareTo(SoftwareVersion o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = compareIdentifier(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    private static int compareIdentifier(String a, String b) {
        boolean an = NUMERIC.matcher(a).matches();
        boolean bn = NUMERIC.matcher(b).matches();
        if (an && bn) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }

    /** True when this version has lower precedence than {@code other} (build metadata ignored). */
    public boolean isOlderThan(SoftwareVersion other) {
        return compareTo(other) < 0;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(major).append('.').append(minor).append('.').append(patch);
        if (!preRelease.isEmpty()) {
            s.append('-').append(String.join(".", preRelease));
        }
        if (!build.isEmpty()) {
            s.append('+').append(build);
        }
        return s.toString();
    }
}
