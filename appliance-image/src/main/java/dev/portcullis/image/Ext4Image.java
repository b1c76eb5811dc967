package dev.portcullis.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Makes an ext4 file system image from a directory without mounting anything: {@code mkfs.ext4 -d}. Reproducible:
 * the UUID and directory hash seed are given, {@code E2FSPROGS_FAKE_TIME} fixes the superblock times, and a
 * {@code debugfs -w} pass then sets every inode's access, change and creation time to the source date and clamps
 * modification times to it (mke2fs copies atime and ctime from the source files, which no one can set).
 */
final class Ext4Image {

    private Ext4Image() {
    }

    /**
     * Makes {@code out}, {@code bytes} long, holding the tree under {@code source}; with {@code rootOwned}, every
     * file is made owned by root (for trees staged by an unprivileged build).
     */
    static void make(Path source, Path out, long bytes, String label, UUID uuid, long sourceDateEpoch,
                     boolean rootOwned) throws IOException {
        Exec.require("mkfs.ext4", "e2fsprogs");
        Files.deleteIfExists(out);
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.setLength(bytes);
        }
        Map<String, String> env = Map.of("E2FSPROGS_FAKE_TIME", Long.toString(sourceDateEpoch));
        Exec.check(List.of("mkfs.ext4", "-q", "-F", "-t", "ext4", "-b", "4096", "-I", "256", "-L", label,
                "-U", uuid.toString(), "-E", "hash_seed=" + uuid + ",root_owner=0:0", "-d", source.toString(),
                out.toString()), env, new byte[0]);
        Exec.check(List.of("debugfs", "-w", "-f", "-", out.toString()), env,
                fixTimesScript(source, sourceDateEpoch, rootOwned).getBytes(StandardCharsets.UTF_8));
    }

    /** The debugfs commands that make every inode's times (and, with {@code rootOwned}, owners) reproducible. */
    static String fixTimesScript(Path source, long epoch, boolean rootOwned) throws IOException {
        StringBuilder s = new StringBuilder();
        List<String> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            walk.sorted().forEach(p -> paths.add(p.equals(source) ? "/" : "/" + source.relativize(p)));
        }
        paths.add("/lost+found");
        for (String rel : paths) {
            if (rel.contains("\"") || rel.contains("\n")) {
                throw new IOException(source + rel + ": a file name with a double quote or newline cannot be fixed "
                        + "up by debugfs");
            }
            long mtime = epoch;
            Path p = rel.equals("/") ? source : source.resolve(rel.substring(1));
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                mtime = Math.min(epoch, a.lastModifiedTime().toInstant().getEpochSecond());
            }
            String q = "\"" + rel + "\"";
            s.append("sif ").append(q).append(" mtime @").append(mtime).append('\n');
            for (String field : List.of("atime", "ctime", "crtime")) {
                s.append("sif ").append(q).append(' ').append(field).append(" @").append(epoch).append('\n');
            }
            for (String field : List.of("atime_extra", "ctime_extra", "mtime_extra", "crtime_extra")) {
                s.append("sif ").append(q).append(' ').append(field).append(" 0\n");
            }
            if (rootOwned) {
                s.append("sif ").append(q).append(" uid 0\n");
                s.append("sif ").append(q).append(" gid 0\n");
            }
        }
        return s.toString();
    }
}
