package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Stages the files of a new disk's ESP in a directory: systemd-boot at the firmware's fallback path, its
 * {@code loader.conf} (short menu timeout, no entry editor: the kernel command line cannot be changed at the
 * console), and both slots holding the same build, marked good, slot A installed last so that it boots first.
 */
final class EspTree {

    static final String LOADER_CONF = "timeout 2\nconsole-mode keep\neditor no\nauto-entries no\nauto-firmware no\n";

    private EspTree() {
    }

    static void stage(Path dir, Path systemdBootEfi, Path kernel, Path initrd, Manifest manifest, String kernelOptions)
            throws IOException {
        EspLayout esp = new EspLayout(dir);
        Files.createDirectories(esp.bootLoader().getParent());
        Files.copy(systemdBootEfi, esp.bootLoader(), StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(esp.loaderConf().getParent());
        Files.writeString(esp.loaderConf(), LOADER_CONF);
        BootEntries entries = new BootEntries(esp);
        for (Slot s : new Slot[] {Slot.B, Slot.A}) {
            Files.createDirectories(esp.slotDir(s));
            Files.copy(kernel, esp.kernel(s), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(initrd, esp.initrd(s), StandardCopyOption.REPLACE_EXISTING);
            Files.write(esp.manifest(s), ManifestFormat.write(manifest));
            entries.write(new LoaderEntry(s, manifest.version().toString(), s == Slot.A ? 2 : 1, kernelOptions),
                    BootCounter.good(s));
        }
    }
}
