package dev.portcullis.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a file into another at an offset, skipping all-zero chunks when the target is a fresh sparse file (the
 * disk image is mostly empty space, and a sparse file of it costs only what is written).
 */
final class SparseCopy {

    private SparseCopy() {
    }

    /**
     * Copies all of {@code source} into {@code target} at {@code offset}. With {@code skipZeros}, chunks of zeros
     * are not written: only right when the target range is known to read as zeros (a new sparse file).
     */
    static void copy(Path source, FileChannel target, long offset, boolean skipZeros, Progress progress)
            throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            long size = in.size();
            ByteBuffer buf = ByteBuffer.allocateDirect(Sha256.CHUNK);
            long done = 0;
            while (done < size) {
                buf.clear();
                int n = in.read(buf, done);
                if (n < 0) {
                    throw new java.io.EOFException(source + " shrank while it was copied");
                }
                buf.flip();
                if (!(skipZeros && allZero(buf))) {
                    long at = offset + done;
                    while (buf.hasRemaining()) {
                        at += target.write(buf, at);
                    }
                }
                done += n;
                progress.advance(n);
            }
        }
    }

    static boolean allZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit() - 7; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (int i = b.limit() - b.limit() % 8; i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
