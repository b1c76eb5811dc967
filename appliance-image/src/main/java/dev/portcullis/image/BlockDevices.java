package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about block devices from the file system and {@code /sys}. */
final class BlockDevices {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private BlockDevices() {
    }

    static boolean isBlockDevice(Path p) throws IOException {
        if (!Files.exists(p)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        return (mode & S_IFMT) == S_IFBLK;
    }

    /**
     * How many bytes can be written to {@code p}: a block device's size from {@code /sys/class/block/NAME/size}
     * (in 512-byte sectors), or a regular file's current size (a slot stand-in is made at its full size).
     */
    static long capacity(Path p, Path sysClassBlock) throws IOException {
        if (isBlockDevice(p)) {
            String name = p.toRealPath().getFileName().toString();
            Path size = sysClassBlock.resolve(name).resolve("size");
            return Long.parseLong(Files.readString(size).strip()) * 512;
        }
        return Files.size(p);
    }
}
