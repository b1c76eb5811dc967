package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes the FAT32 image of the EFI system partition from a directory without mounting anything: {@code mkfs.vfat}
 * then mtools' {@code mmd} and {@code mcopy}.
 */
final class EspImage {

    private EspImage() {
    }

    static void make(Path source, Path out, long bytes, String volumeId, long sourceDateEpoch) throws IOException {
        Exec.require("mkfs.vfat", "dosfstools");
        Exec.require("mcopy", "mtools");
        Files.deleteIfExists(out);
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch), "MTOOLS_SKIP_CHECK",
                "1");
        Exec.check(List.of("mkfs.vfat", "-F", "32", "-n", "ESP", "-i", volumeId, "-C", out.toString(),
                Long.toString(bytes / 1024)), env, new byte[0]);
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            walk.sorted().filter(p -> !p.equals(source)).forEach(p -> (Files.isDirectory(p) ? dirs : files).add(p));
        }
        for (Path d : dirs) {
            Exec.check(List.of("mmd", "-i", out.toString(), "::/" + source.relativize(d)), env, new byte[0]);
        }
        for (Path f : files) {
            Exec.check(List.of("mcopy", "-i", out.toString(), "-m", "-o", f.toString(), "::/" + source.relativize(f)),
                    env, new byte[0]);
        }
    }
}
