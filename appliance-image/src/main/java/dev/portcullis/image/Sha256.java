package dev.portcullis.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and file ranges, optionally copying the bytes while hashing them. */
final class Sha256 {

    static final int CHUNK = 1 << 20;

    private Sha256() {
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    static String of(byte[] data) {
        return hex(digest().digest(data));
    }

    /** The SHA-256 of the whole file. */
    static String of(Path file, Progress progress) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return range(ch, 0, ch.size(), null, progress);
        }
    }

    /**
     * Hashes {@code length} bytes of {@code ch} from {@code offset}, writing them to {@code copyTo} when it is not
     * null; fails with {@link java.io.EOFException} if the file ends first.
     */
    static String range(FileChannel ch, long offset, long length, WritableByteChannel copyTo, Progress progress)
            throws IOException {
        MessageDigest md = digest();
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(length, 1)));
        long done = 0;
        while (done < length) {
            buf.clear().limit((int) Math.min(buf.capacity(), length - done));
            int n = ch.read(buf, offset + done);
            if (n < 0) {
                throw new java.io.EOFException("file ends " + (length - done) + " bytes early");
            }
            buf.flip();
            md.update(buf.duplicate());
            if (copyTo != null) {
                while (buf.hasRemaining()) {
                    copyTo.write(buf);
                }
            }
            done += n;
            progress.advance(n);
        }
        return hex(md.digest());
    }
}
