package dev.portcullis.image;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where things are on the EFI system partition: systemd-boot's {@code loader/loader.conf} and
 * {@code loader/entries/}, and per slot {@code portcullis/a/} with the kernel, the initrd and the signed manifest
 * of the software in that slot.
 */
public record EspLayout(Path root) {

    static final String DIR = "portcullis";
    static final String KERNEL = "vmlinuz";
    static final String INITRD = "initrd.img";
    static final String MANIFEST = "manifest";

    public EspLayout {
        Objects.requireNonNull(root, "root");
    }

    public Path loaderConf() {
        return root.resolve("loader/loader.conf");
    }

    public Path entries() {
        return root.resolve("loader/entries");
    }

    public Path slotDir(Slot slot) {
        return root.resolve(DIR).resolve(slot.id());
    }

    public Path kernel(Slot slot) {
        return slotDir(slot).resolve(KERNEL);
    }

    public Path initrd(Slot slot) {
        return slotDir(slot).resolve(INITRD);
    }

    public Path manifest(Slot slot) {
        return slotDir(slot).resolve(MANIFEST);
    }

    /** systemd-boot's binary, where the firmware's fallback path looks for it. */
    public Path bootLoader() {
        return root.resolve("EFI/BOOT/BOOTX64.EFI");
    }

    /** Held while an installation writes; one installation at a time. */
    Path lockFile() {
        return root.resolve(DIR).resolve("install.lock");
    }
}
