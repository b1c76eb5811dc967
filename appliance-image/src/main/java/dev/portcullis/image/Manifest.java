package dev.portcullis.image;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an update bundle holds, signed: the software version, the source commit, when and for what target it was
 * built, the fingerprint of the key that signed it, and each part's size and SHA-256. Its text form
 * ({@link ManifestFormat}) is canonical, so two builds of the same commit give manifests that differ only in
 * {@code buildTime}.
 *
 * @param source the git commit the bundle was built from (hex), or {@code unknown}
 * @param signingKey the SHA-256 fingerprint of the signing public key ({@link Ed25519Keys#fingerprint}), or
 *     {@code none} for an unsigned bundle
 * @param parts sorted by name; names are unique
 */
public record Manifest(SoftwareVersion version, String source, Instant buildTime, String target, String signingKey,
                       List<Part> parts) {

    /** The parts an installable bundle carries. */
    public static final String ROOTFS = "rootfs";
    public static final String KERNEL = "kernel";
    public static final String INITRD = "initrd";

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    static final Pattern SOURCE = Pattern.compile("[0-9a-f]{7,64}|unknown");
    static final Pattern KEY = Pattern.compile("sha256:[0-9a-f]{64}|none");

    public Manifest {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(buildTime, "buildTime");
        buildTime = buildTime.truncatedTo(ChronoUnit.SECONDS);
        require(SOURCE, source, "source commit");
        require(NAME, target, "target");
        require(KEY, signingKey, "signing key fingerprint");
        parts = parts.stream().sorted(Comparator.comparing(Part::name)).toList();
        for (int i = 1; i < parts.size(); i++) {
            if (parts.get(i).name().equals(parts.get(i - 1).name())) {
                throw new IllegalArgumentException("part '" + parts.get(i).name() + "' is listed twice");
            }
        }
    }

    static String require(Pattern p, String value, String what) {
        Objects.requireNonNull(value, what);
        if (!p.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' does not match " + p.pattern());
        }
        return value;
    }

    /**
     * One part: a file of {@code size} bytes whose SHA-256 is {@code sha256} (64 lower-case hex digits).
     */
    public record Part(String name, long size, String sha256) {
        static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

        public Part {
            require(NAME, name, "part name");
            require(HEX, sha256, "SHA-256 of part '" + name + "'");
            if (size < 0) {
                throw new IllegalArgumentException("part '" + name + "' has a negative size: " + size);
            }
        }
    }

    public Optional<Part> part(String name) {
        return parts.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The sum of the parts' sizes. */
    public long payloadSize() {
        return parts.stream().mapToLong(Part::size).sum();
    }
}
