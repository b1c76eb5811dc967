package dev.portcullis.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Assembles the full disk image from partition images: a sparse file of the layout's size, the GPT written by
 * {@code sfdisk} (which works on a plain file, so no root and no loop device), then each partition image copied to
 * its offset.
 */
public final class DiskImage {

    private DiskImage() {
    }

    /** Partition images for {@link #assemble}; the root images are copied into both slots' partitions. */
    public record Parts(Path esp, Path rootA, Path rootB, Path data) {
    }

    public static void assemble(DiskLayout layout, Parts parts, Path out, Progress progress) throws IOException {
        Exec.require("sfdisk", "fdisk");
        List<DiskLayout.Partition> p = layout.partitions();
        check(parts.esp(), p.get(0));
        check(parts.rootA(), p.get(1));
        check(parts.rootB(), p.get(2));
        check(parts.data(), p.get(3));
        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        Files.deleteIfExists(tmp);
        try (RandomAccessFile f = new RandomAccessFile(tmp.toFile(), "rw")) {
            f.setLength(layout.diskBytes());
        }
        Exec.check(List.of("sfdisk", "--no-reread", "--no-tell-kernel", "--quiet", tmp.toString()), java.util.Map.of(),
                layout.sfdiskScript().getBytes(StandardCharsets.UTF_8));
        long total = Files.size(parts.esp()) + Files.size(parts.rootA()) + Files.size(parts.rootB())
                + Files.size(parts.data());
        progress.begin("assemble " + out.getFileName(), total);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            SparseCopy.copy(parts.esp(), ch, p.get(0).offset(), true, progress);
            SparseCopy.copy(parts.rootA(), ch, p.get(1).offset(), true, progress);
            SparseCopy.copy(parts.rootB(), ch, p.get(2).offset(), true, progress);
            SparseCopy.copy(parts.data(), ch, p.get(3).offset(), true, progress);
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        progress.end();
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void check(Path image, DiskLayout.Partition p) throws IOException {
        long size = Files.size(image);
        if (size > p.size()) {
            throw new IOException(image + " is " + size + " bytes; partition " + p.name() + " holds " + p.size());
        }
    }
}
