package dev.portcullis.image;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical text form of a {@link Manifest}: UTF-8, one {@code key value} line each, in a fixed order, ending
 * with a newline; parts sorted by name. Writing and parsing are exact inverses, and parsing accepts only the
 * canonical form (no extra spaces, no comments, no reordering), so the signed bytes have exactly one meaning.
 *
 * <pre>
 * portcullis-bundle 1
 * version 0.2.0+g1a2b3c4
 * source 1a2b3c4d5e6f...
 * build-time 2026-11-28T09:10:00Z
 * target x86_64-efi
 * signing-key sha256:9f86d081...
 * part initrd 31457280 sha256:...
 * part kernel 8388608 sha256:...
 * part rootfs 1073741824 sha256:...
 * </pre>
 */
public final class ManifestFormat {

    static final String FIRST_LINE = "portcullis-bundle 1";
    /** Manifests larger than this are refused before parsing. */
    static final int MAX_BYTES = 64 * 1024;

    private ManifestFormat() {
    }

    public static byte[] write(Manifest m) {
        StringBuilder s = new StringBuilder();
        s.append(FIRST_LINE).append('\n');
        s.append("version ").append(m.version()).append('\n');
        s.append("source ").append(m.source()).append('\n');
        s.append("build-time ").append(m.buildTime()).append('\n');
        s.append("target ").append(m.target()).append('\n');
        s.append("signing-key ").append(m.signingKey()).append('\n');
        for (Manifest.Part p : m.parts()) {
            s.append("part ").append(p.name()).append(' ').append(p.size()).append(" sha256:").append(p.sha256())
                    .append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses the canonical form; throws {@link IllegalArgumentException} naming the line and what is wrong.
     */
    public static Manifest parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("manifest is " + bytes.length + " bytes; at most " + MAX_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("manifest is not UTF-8 text");
        }
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("manifest does not end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 6) {
            throw new IllegalArgumentException("manifest has " + lines.length + " lines; at least 6 expected");
        }
        if (!lines[0].equals(FIRST_LINE)) {
            throw new IllegalArgumentException("manifest line 1: expected '" + FIRST_LINE + "', found '"
                    + lines[0] + "'");
        }
        try {
            SoftwareVersion version = SoftwareVersion.parse(value(lines, 1, "version"));
            String source = value(lines, 2, "source");
            Instant built = instant(lines, 3);
            String target = value(lines, 4, "target");
            String key = value(lines, 5, "signing-key");
            List<Manifest.Part> parts = new ArrayList<>();
            for (int i = 6; i < lines.length; i++) {
                parts.add(part(lines, i));
            }
            Manifest m = new Manifest(version, source, built, target, key, parts);
            if (!java.util.Arrays.equals(write(m), bytes)) {
                throw new IllegalArgumentException("manifest is not in canonical form (parts out of order, or a "
                        + "value written differently than it reads back)");
            }
            return m;
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("manifest") ? e : new IllegalArgumentException("manifest: "
                    + e.getMessage(), e);
        }
    }

    private static String value(String[] lines, int i, String key) {
        String prefix = key + " ";
        if (!lines[i].startsWith(prefix) || lines[i].length() == prefix.length()) {
            throw new IllegalArgumentException("manifest line " + (i + 1) + ": expected '" + key + " VALUE', found '"
                    + lines[i] + "'");
        }
        return lines[i].substring(prefix.length());
    }

    private static Instant instant(String[] lines, int i) {
        String v = value(lines, i, "build-time");
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("manifest line " + (i + 1) + ": build-time '" + v
                    + "' is not an ISO-8601 instant like 2026-11-28T09:10:00Z");
        }
    }

    private static Manifest.Part part(String[] lines, int i) {
        String[] f = value(lines, i, "part").split(" ", -1);
        if (f.length != 3 || !f[2].startsWith("sha256:")) {
            throw new IllegalArgumentException("manifest line " + (i + 1) + ": expected 'part NAME SIZE "
                    + "sha256:HEX', found '" + lines[i] + "'");
        }
        long size;
        try {
            size = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("manifest line " + (i + 1) + ": size '" + f[1] + "' is not a number");
        }
        return new Manifest.Part(f[0], size, f[2].substring("sha256:".length()));
    }
}
