package dev.portcullis.mgmt.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A file's content followed by a last line {@code sha256: HEX} over everything before it, so that a reader can tell a
 * complete file from a truncated, torn or altered one instead of trusting it. Stateless; thread-safe.
 */
final class SealedFile {

    private static final byte[] PREFIX = "sha256: ".getBytes(StandardCharsets.US_ASCII);
    /** {@code "sha256: "}, 64 hex digits, {@code '\n'}. */
    static final int TRAILER_LENGTH = PREFIX.length + 64 + 1;

    private SealedFile() {
    }

    /** {@code body} with its trailer. */
    static byte[] seal(byte[] body) {
        byte[] out = Arrays.copyOf(body, body.length + TRAILER_LENGTH);
        System.arraycopy(PREFIX, 0, out, body.length, PREFIX.length);
        byte[] hex = sha256Hex(body, body.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, out, body.length + PREFIX.length, hex.length);
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * The body of a sealed file.
     *
     * @throws IOException saying why when the trailer is missing or does not match the content
     */
    static byte[] open(byte[] file) throws IOException {
        if (file.length < TRAILER_LENGTH) {
            throw new IOException("too short to be complete (" + file.length + " bytes)");
        }
        int body = file.length - TRAILER_LENGTH;
        if (!Arrays.equals(file, body, body + PREFIX.length, PREFIX, 0, PREFIX.length)
                || file[file.length - 1] != '\n') {
            throw new IOException("no checksum line at its end (incomplete write?)");
        }
        String stored = new String(file, body + PREFIX.length, 64, StandardCharsets.US_ASCII);
        String actual = sha256Hex(file, body);
        if (!stored.equals(actual)) {
            throw new IOException("checksum mismatch: the content is not what was written");
        }
        return Arrays.copyOf(file, body);
    }

    static String sha256Hex(byte[] bytes, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, 0, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
