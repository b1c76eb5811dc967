package dev.portcullis.mgmt.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that survive a crash or a power loss whole or not at all.
 *
 * <p>{@link #write}: the content goes to {@code NAME.tmp} in the same directory, which is forced to disk
 * ({@code fsync}); it is then renamed over {@code NAME}, atomically on POSIX file systems, and the directory is
 * forced so the rename itself is on disk. Whatever moment the machine stops at, {@code NAME} is the old file or the
 * new one; at worst a {@code .tmp} file is left, which the store removes when it opens. Directory forcing works on
 * Linux through a read-only channel on the directory. Stateless; callers serialize writes to one file.
 */
final class DurableFiles {

    static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {
    }

    /** Replaces {@code target} with {@code content} durably and atomically, as described above. */
    static void write(Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }

    /** Removes {@code file} if it is there, durably. */
    static void delete(Path file) throws IOException {
        if (Files.deleteIfExists(file)) {
            syncDirectory(file.getParent());
        }
    }

    /** Creates {@code dir} (and its parents) if missing, durably. */
    static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            syncDirectory(dir.toAbsolutePath().getParent());
        }
    }

    /** Forces a directory's entries (new, renamed and removed names) to disk. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
