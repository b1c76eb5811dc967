package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses flash targets that are in use: a block device that is mounted (itself or any partition of its disk),
 * held by another device (device-mapper, RAID, LVM), or the disk the running system booted from (the {@code root=}
 * of {@code /proc/cmdline}, and the device mounted on {@code /}, as {@code findmnt /} shows it); and a file that
 * backs a loop device.
 *
 * @param procMounts normally {@code /proc/mounts}
 * @param procCmdline normally {@code /proc/cmdline}
 * @param sysClassBlock normally {@code /sys/class/block}
 * @param dev normally {@code /dev} (for {@code root=UUID=...} and friends, via {@code disk/by-uuid/} and so on)
 */
public record TargetCheck(Path procMounts, Path procCmdline, Path sysClassBlock, Path dev) {

    /** The running system's view. */
    public static TargetCheck system() {
        return new TargetCheck(Path.of("/proc/mounts"), Path.of("/proc/cmdline"), Path.of("/sys/class/block"),
                Path.of("/dev"));
    }

    /** Why {@code target} must not be written; empty when it may. */
    public Optional<String> refusal(FlashTarget target) throws IOException {
        return switch (target) {
            case FlashTarget.BlockDevice d -> refusal(d);
            case FlashTarget.File f -> loopBacked(f.path());
        };
    }

    private Optional<String> refusal(FlashTarget.BlockDevice d) throws IOException {
        Set<String> devices = new LinkedHashSet<>();
        devices.add(d.disk());
        devices.addAll(partitions(d.disk()));
        for (String line : Files.readAllLines(procMounts)) {
            String[] f = line.split(" ");
            if (f.length >= 2 && f[0].startsWith("/dev/")) {
                Optional<String> name = kernelName(devNode(unescape(f[0])));
                if (name.isPresent() && devices.contains(name.get())) {
                    return Optional.of(d.path() + ": " + name.get() + " is mounted on " + unescape(f[1])
                            + "; unmount it first");
                }
            }
        }
        for (String name : devices) {
            Path holders = sysClassBlock.resolve(name).resolve("holders");
            if (Files.isDirectory(holders)) {
                try (DirectoryStream<Path> h = Files.newDirectoryStream(holders)) {
                    for (Path holder : h) {
                        return Optional.of(d.path() + ": " + name + " is in use by " + holder.getFileName()
                                + " (device-mapper, RAID or LVM)");
                    }
                }
            }
        }
        Optional<String> bootDisk = bootDisk();
        if (bootDisk.isPresent() && bootDisk.get().equals(d.disk())) {
            return Optional.of(d.path() + ": disk " + d.disk() + " is the one the running system booted from");
        }
        return Optional.empty();
    }

    /** The disk holding the root file system: from {@code root=} on the kernel command line, else from "/". */
    Optional<String> bootDisk() throws IOException {
        Optional<String> fromCmdline = Optional.empty();
        if (Files.exists(procCmdline)) {
            Optional<String> root = KernelCommandLine.value(Files.readString(procCmdline), "root");
            fromCmdline = root.flatMap(this::resolveRootSpec).flatMap(this::kernelName).map(this::diskOf);
        }
        if (fromCmdline.isPresent()) {
            return fromCmdline;
        }
        for (String line : Files.readAllLines(procMounts)) {
            String[] f = line.split(" ");
            if (f.length >= 2 && f[1].equals("/") && f[0].startsWith("/dev/")) {
                return kernelName(devNode(unescape(f[0]))).map(this::diskOf);
            }
        }
        return Optional.empty();
    }

    private Optional<Path> resolveRootSpec(String spec) {
        String[][] kinds = {{"UUID=", "disk/by-uuid"}, {"PARTUUID=", "disk/by-partuuid"}, {"LABEL=", "disk/by-label"},
            {"PARTLABEL=", "disk/by-partlabel"}};
        for (String[] k : kinds) {
            if (spec.startsWith(k[0])) {
                return Optional.of(dev.resolve(k[1]).resolve(spec.substring(k[0].length())));
            }
        }
        return spec.startsWith("/dev/") ? Optional.of(devNode(spec)) : Optional.empty();
    }

    /** {@code /dev/NAME} under {@link #dev}. */
    private Path devNode(String path) {
        return dev.resolve(path.substring("/dev/".length()));
    }

    /** The kernel's name for a device node (following /dev/disk/by-* links and /dev/mapper names). */
    private Optional<String> kernelName(Path node) {
        try {
            Path real = node.toRealPath();
            String name = real.getFileName().toString();
            return Files.exists(sysClassBlock.resolve(name)) ? Optional.of(name) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private String diskOf(String name) {
        Path sys = sysClassBlock.resolve(name);
        if (Files.exists(sys.resolve("partition"))) {
            try {
                return sys.toRealPath().getParent().getFileName().toString();
            } catch (IOException e) {
                return name;
            }
        }
        return name;
    }

    private Set<String> partitions(String disk) throws IOException {
        Set<String> parts = new LinkedHashSet<>();
        Path sys = sysClassBlock.resolve(disk);
        if (Files.isDirectory(sys)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(sys)) {
                for (Path p : s) {
                    if (Files.exists(p.resolve("partition"))) {
                        parts.add(p.getFileName().toString());
                    }
                }
            }
        }
        return parts;
    }

    private Optional<String> loopBacked(Path file) throws IOException {
        if (!Files.exists(file) || !Files.isDirectory(sysClassBlock)) {
            return Optional.empty();
        }
        Path real = file.toRealPath();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(sysClassBlock, "loop*")) {
            for (Path loop : s) {
                Path backing = loop.resolve("loop/backing_file");
                if (Files.exists(backing) && Files.readString(backing).strip().equals(real.toString())) {
                    return Optional.of(file + ": backs loop device " + loop.getFileName() + "; detach it first");
                }
            }
        }
        return Optional.empty();
    }

    /** /proc/mounts escapes space, tab, newline and backslash as octal. */
    static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
