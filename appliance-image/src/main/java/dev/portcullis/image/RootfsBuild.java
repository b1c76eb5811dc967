package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The root file system from Debian's packages with mmdebstrap: a minimal system with systemd, udev, the kernel and
 * systemd-boot, our overlay synced in, our units enabled, systemd-bless-boot masked (the boot assessment unit does
 * its job), and the kernel, initrd and systemd-boot binary copied out for the ESP. Installs into a directory, so it
 * needs root (mmdebstrap's root mode); everything after it does not.
 */
final class RootfsBuild {

    /** The packages on top of Debian's minbase variant. */
    static final List<String> PACKAGES = List.of("systemd", "systemd-sysv", "udev", "dbus", "linux-image-amd64",
            "initramfs-tools", "systemd-boot-efi", "iproute2", "kmod", "e2fsprogs", "dosfstools", "netbase",
            "procps");

    private RootfsBuild() {
    }

    /**
     * The mmdebstrap command that installs into {@code rootfs} and leaves {@code vmlinuz}, {@code initrd.img} and
     * {@code systemd-bootx64.efi} in {@code bootFiles}.
     */
    static List<String> command(String suite, List<String> sources, Path overlay, Path rootfs, Path bootFiles) {
        List<String> c = new ArrayList<>(List.of("mmdebstrap", "--variant=minbase", "--mode=root",
                "--format=directory", "--include=" + String.join(",", PACKAGES),
                "--aptopt=Acquire::Languages \"none\"",
                "--dpkgopt=path-exclude=/usr/share/man/*",
                "--dpkgopt=path-exclude=/usr/share/locale/*",
                "--dpkgopt=path-exclude=/usr/share/doc/*",
                "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                "--customize-hook=sync-in " + overlay + " /",
                "--customize-hook=chroot \"$1\" systemctl enable portcullis.service "
                        + "portcullis-boot-assessment.service systemd-networkd.service",
                "--customize-hook=chroot \"$1\" systemctl mask systemd-bless-boot.service",
                "--customize-hook=cp \"$1\"/boot/vmlinuz-* " + bootFiles.resolve("vmlinuz")
                        + " && cp \"$1\"/boot/initrd.img-* " + bootFiles.resolve("initrd.img")
                        + " && cp \"$1\"/usr/lib/systemd/boot/efi/systemd-bootx64.efi " + bootFiles
                        + " && rm -f \"$1\"/boot/vmlinuz-* \"$1\"/boot/initrd.img-* \"$1\"/vmlinuz* \"$1\"/initrd.img*",
                // mmdebstrap leaves an empty machine-id: systemd makes one at first boot.
                "--customize-hook=rm -f \"$1\"/var/log/*.log \"$1\"/var/cache/ldconfig/aux-cache",
                suite, rootfs.toString()));
        c.addAll(sources);
        return c;
    }

    static void run(String suite, List<String> sources, Path overlay, Path rootfs, Path bootFiles,
                    long sourceDateEpoch, Consumer<String> lines) throws IOException {
        Exec.require("mmdebstrap", "mmdebstrap");
        long uid = ((Number) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        if (uid != 0) {
            throw new IOException("building the root file system installs Debian packages into a directory and "
                    + "needs root (mmdebstrap --mode=root); run the build as root, for example in a VM or container");
        }
        Exec.stream(command(suite, sources, overlay, rootfs, bootFiles),
                Map.of("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch)), null, lines);
    }
}
