package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code --target} names: a whole disk or partition, or a file (made if missing). */
public sealed interface FlashTarget {

    Path path();

    /** A regular file, or a path where one will be made. */
    record File(Path path) implements FlashTarget {
    }

    /**
     * A block device.
     *
     * @param name the kernel's name of the device ({@code sdb}, {@code sdb1}, {@code nvme0n1})
     * @param disk the kernel's name of the whole disk it is or belongs to
     */
    record BlockDevice(Path path, String name, String disk, long capacity) implements FlashTarget {
    }

    /**
     * Looks at {@code target}: a block device (its name and disk from {@code sysClassBlock}), a regular file, or
     * nothing yet; a directory or any other kind of file is refused.
     */
    static FlashTarget inspect(Path target, Path sysClassBlock) throws IOException, FlashException {
        if (BlockDevices.isBlockDevice(target)) {
            String name = target.toRealPath().getFileName().toString();
            Path sys = sysClassBlock.resolve(name);
            if (!Files.exists(sys)) {
                throw new FlashException(target + ": block device " + name + " is not in " + sysClassBlock);
            }
            String disk = Files.exists(sys.resolve("partition"))
                    ? sys.toRealPath().getParent().getFileName().toString() : name;
            return new BlockDevice(target, name, disk, BlockDevices.capacity(target, sysClassBlock));
        }
        if (!Files.exists(target) || Files.isRegularFile(target)) {
            return new File(target);
        }
        throw new FlashException(target + ": neither a block device nor a regular file");
    }
}
