package dev.portcullis.image;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code portcullis-image flash IMAGE --target DEVICE_OR_FILE}: refuses a target in use ({@link TargetCheck}) or
 * too small, asks before writing a block device unless told yes, writes with progress, flushes, then reads the
 * written range back (bypassing the page cache on a block device) and compares its SHA-256 with the image's.
 */
public final class Flasher {

    private static final Logger LOG = LoggerFactory.getLogger(Flasher.class);

    /** Asks the operator; true to go on. */
    @FunctionalInterface
    public interface Confirmation {
        boolean confirm(String question);
    }

    /** What was written and verified. */
    public record Result(Path target, long bytes, String sha256) {
    }

    private final TargetCheck check;
    private final Path sysClassBlock;
    private final Confirmation confirmation;

    public Flasher(TargetCheck check, Confirmation confirmation) {
        this.check = check;
        this.sysClassBlock = check.sysClassBlock();
        this.confirmation = confirmation;
    }

    public Result flash(Path image, Path targetPath, boolean yes, Progress progress)
            throws IOException, FlashException {
        if (!Files.isRegularFile(image)) {
            throw new FlashException(image + ": no such image file");
        }
        long size = Files.size(image);
        FlashTarget target = FlashTarget.inspect(targetPath, sysClassBlock);
        if (target instanceof FlashTarget.File && Files.exists(targetPath) && Files.isSameFile(image, targetPath)) {
            throw new FlashException(targetPath + ": is the image itself");
        }
        Optional<String> refusal = check.refusal(target);
        if (refusal.isPresent()) {
            throw new FlashException(refusal.get());
        }
        boolean block = target instanceof FlashTarget.BlockDevice;
        if (target instanceof FlashTarget.BlockDevice d) {
            if (size > d.capacity()) {
                throw new FlashException(targetPath + ": holds " + d.capacity() + " bytes; the image is " + size);
            }
            if (!yes && !confirmation.confirm("Write " + image + " (" + size / DiskLayout.MIB + " MiB) to "
                    + targetPath + " (" + d.name() + ", " + d.capacity() / DiskLayout.MIB
                    + " MiB)? Everything on it is lost.")) {
                throw new FlashException(targetPath + ": not confirmed; nothing was written");
            }
        }
        LOG.info("flash: writing {} ({} bytes) to {}", image, size, targetPath);
        String written;
        progress.begin("write " + targetPath, size);
        if (block) {
            try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(targetPath, StandardOpenOption.WRITE)) {
                written = Sha256.range(in, 0, size, out, progress);
                out.force(true);
            }
        } else {
            written = writeSparseFile(image, size, targetPath, progress);
        }
        progress.end();
        progress.begin("verify " + targetPath, size);
        String readBack = readBack(targetPath, size, block, progress);
        progress.end();
        if (!readBack.equals(written)) {
            throw new FlashException(targetPath + ": read back SHA-256 " + readBack + " differs from the image's "
                    + written + "; the medium may be failing");
        }
        LOG.info("flash: {} verified, SHA-256 {}", targetPath, written);
        return new Result(targetPath, size, written);
    }

    /**
     * Writes the image into a new file of the same size, leaving chunks of zeros as holes (a file reads zeros
     * there; a device would keep its old bytes, so devices get every byte). Returns the image's SHA-256.
     */
    private static String writeSparseFile(Path image, long size, Path target, Progress progress) throws IOException {
        MessageDigest md = Sha256.digest();
        ByteBuffer buf = ByteBuffer.allocateDirect(Sha256.CHUNK);
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long done = 0;
            while (done < size) {
                buf.clear();
                int n = in.read(buf, done);
                if (n < 0) {
                    throw new java.io.EOFException(image + " shrank while it was written");
                }
                buf.flip();
                md.update(buf.duplicate());
                if (!SparseCopy.allZero(buf)) {
                    long at = done;
                    while (buf.hasRemaining()) {
                        at += out.write(buf, at);
                    }
                }
                done += n;
                progress.advance(n);
            }
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
            out.force(true);
        }
        return Sha256.hex(md.digest());
    }

    /** The SHA-256 of the first {@code size} bytes of the target; on a block device with O_DIRECT. */
    private static String readBack(Path target, long size, boolean direct, Progress progress) throws IOException {
        if (!direct) {
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
                return Sha256.range(ch, 0, size, null, progress);
            }
        }
        int align = 4096;
        MessageDigest md = Sha256.digest();
        ByteBuffer buf = ByteBuffer.allocateDirect(Sha256.CHUNK + align).alignedSlice(align);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            long done = 0;
            while (done < size) {
                buf.clear();
                int n = ch.read(buf, done);
                if (n <= 0) {
                    throw new IOException(target + ": ends at byte " + done + " while reading back");
                }
                buf.flip().limit((int) Math.min(n, size - done));
                md.update(buf);
                long used = Math.min(n, size - done);
                done += used;
                progress.advance(used);
            }
        }
        return Sha256.hex(md.digest());
    }
}
