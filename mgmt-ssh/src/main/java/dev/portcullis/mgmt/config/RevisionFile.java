package dev.portcullis.mgmt.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The file format of one revision: a header of {@code key: value} lines, a blank line, the policy text's UTF-8
 * bytes, and a {@link SealedFile} checksum line over all of it.
 *
 * <pre>
 * portcullis-revision 1
 * number: 42
 * time: 2026-11-28T10:15:30.123Z
 * author: alice
 * source: 198.51.100.7:50022
 * origin: commit
 * comment: open the api to partners
 * confirm-by: 2026-11-28T10:25:30.123Z     (commit confirmed only)
 * rollback-to: 41                          (commit confirmed only)
 * text-bytes: 2817
 * text-sha256: 5d41...
 *
 * version: 1
 * ...the policy text...
 * sha256: 9f86...
 * </pre>
 *
 * Header values escape {@code \}, line breaks and other control characters ({@code \\}, {@code \n}, {@code \r},
 * {@code \xHH}), so a comment cannot forge a header line. Decoding checks everything it relies on. Stateless.
 */
final class RevisionFile {

    static final String MAGIC = "portcullis-revision 1";

    private RevisionFile() {
    }

    /** A revision read back: its metadata and its text. */
    record Decoded(Revision revision, String text) {
    }

    static byte[] encode(Revision r, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(512);
        h.append(MAGIC).append('\n');
        line(h, "number", Integer.toString(r.number()));
        line(h, "time", r.time().toString());
        line(h, "author", r.author());
        line(h, "source", r.source());
        line(h, "origin", r.origin().word());
        line(h, "comment", r.comment());
        r.confirmBy().ifPresent(t -> line(h, "confirm-by", t.toString()));
        r.rollbackTo().ifPresent(n -> line(h, "rollback-to", Integer.toString(n)));
        line(h, "text-bytes", Integer.toString(body.length));
        line(h, "text-sha256", r.sha256());
        h.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream(h.length() + body.length + SealedFile.TRAILER_LENGTH);
        out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return SealedFile.seal(out.toByteArray());
    }

    private static void line(StringBuilder h, String key, String value) {
        h.append(key).append(": ");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                h.append("\\\\");
            } else if (c == '\n') {
                h.append("\\n");
            } else if (c == '\r') {
                h.append("\\r");
            } else if (c < 0x20 || c == 0x7F) {
                h.append(String.format("\\x%02x", (int) c));
            } else {
                h.append(c);
            }
        }
        h.append('\n');
    }

    /**
     * Reads a revision file and checks it whole: the checksum, the header, the text's length and hash, and that
     * it is revision {@code expectedNumber}.
     *
     * @throws IOException saying what is wrong
     */
    static Decoded decode(byte[] file, int expectedNumber) throws IOException {
        byte[] content = SealedFile.open(file);
        int headerEnd = indexOf(content, "\n\n".getBytes(StandardCharsets.US_ASCII));
        if (headerEnd < 0) {
            throw new IOException("no end of header");
        }
        String header = utf8(content, 0, headerEnd + 1);
        String[] lines = header.split("\n");
        if (!lines[0].equals(MAGIC)) {
            throw new IOException("not a revision file (first line '" + lines[0] + "')");
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(": ");
            if (colon < 0) {
                throw new IOException("malformed header line " + (i + 1));
            }
            f.put(lines[i].substring(0, colon), unescape(lines[i].substring(colon + 2)));
        }
        int bodyStart = headerEnd + 2;
        int textBytes = number(f, "text-bytes");
        if (textBytes != content.length - bodyStart) {
            throw new IOException("text is " + (content.length - bodyStart) + " bytes, the header says " + textBytes);
        }
        String sha = SealedFile.sha256Hex(java.util.Arrays.copyOfRange(content, bodyStart, content.length), textBytes);
        if (!sha.equals(required(f, "text-sha256"))) {
            throw new IOException("text checksum mismatch");
        }
        int number = number(f, "number");
        if (number != expectedNumber) {
            throw new IOException("holds revision " + number + ", not " + expectedNumber);
        }
        Revision.Origin origin = Revision.Origin.of(required(f, "origin"))
                .orElseThrow(() -> new IOException("unknown origin '" + f.get("origin") + "'"));
        Optional<Instant> confirmBy = f.containsKey("confirm-by") ? Optional.of(instant(f, "confirm-by"))
                : Optional.empty();
        OptionalInt rollbackTo = f.containsKey("rollback-to") ? OptionalInt.of(number(f, "rollback-to"))
                : OptionalInt.empty();
        Revision r;
        try {
            r = new Revision(number, instant(f, "time"), required(f, "author"), required(f, "source"),
                    required(f, "comment"), origin, confirmBy, rollbackTo, sha);
        } catch (IllegalArgumentException e) {
            throw new IOException("inconsistent header: " + e.getMessage(), e);
        }
        return new Decoded(r, utf8(content, bodyStart, content.length));
    }

    private static String required(Map<String, String> f, String key) throws IOException {
        String v = f.get(key);
        if (v == null) {
            throw new IOException("no '" + key + "' in the header");
        }
        return v;
    }

    private static int number(Map<String, String> f, String key) throws IOException {
        String v = required(f, key);
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("'" + key + "' is not a number: '" + v + "'", e);
        }
    }

    private static Instant instant(Map<String, String> f, String key) throws IOException {
        String v = required(f, key);
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IOException("'" + key + "' is not a time: '" + v + "'", e);
        }
    }

    private static String unescape(String v) throws IOException {
        if (v.indexOf('\\') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i + 1 >= v.length()) {
                throw new IOException("dangling escape in header value");
            }
            char n = v.charAt(++i);
            switch (n) {
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 'x' -> {
                    if (i + 2 >= v.length()) {
                        throw new IOException("short \\x escape in header value");
                    }
                    try {
                        sb.append((char) Integer.parseInt(v.substring(i + 1, i + 3), 16));
                    } catch (NumberFormatException e) {
                        throw new IOException("bad \\x escape in header value", e);
                    }
                    i += 2;
                }
                default -> throw new IOException("unknown escape \\" + n + " in header value");
            }
        }
        return sb.toString();
    }

    static String utf8(byte[] bytes, int from, int to) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text", e);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
