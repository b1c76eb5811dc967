package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A temporary directory standing in for an appliance: an ESP directory and two files of fixed size standing in for
 * the slot partitions, as the disk image leaves them (slot A holds version {@code initial} and is good, B is empty).
 */
final class ApplianceFixture {

    static final int SLOT_SIZE = 64 * 1024;

    final Path root;
    final EspLayout esp;
    final Map<Slot, Path> devices;
    final SigningKey key = TestBundles.key(20);

    ApplianceFixture(Path root, String initial) throws IOException {
        this.root = root;
        this.esp = new EspLayout(Files.createDirectories(root.resolve("esp")));
        this.devices = Map.of(Slot.A, root.resolve("root-a.img"), Slot.B, root.resolve("root-b.img"));
        Files.write(devices.get(Slot.A), TestBundles.bytes(100, SLOT_SIZE));
        Files.write(devices.get(Slot.B), new byte[SLOT_SIZE]);
        Files.createDirectories(esp.slotDir(Slot.A));
        Manifest m = new Manifest(SoftwareVersion.parse(initial), "unknown", TestBundles.BUILT, "x86_64-efi",
                key.publicKey().fingerprint(), java.util.List.of());
        Files.write(esp.manifest(Slot.A), ManifestFormat.write(m));
        new BootEntries(esp).write(new LoaderEntry(Slot.A, initial, 1, ""), BootCounter.good(Slot.A));
    }

    /** The manager as the system booted into {@code running} sees it. */
    SoftwareManager manager(Optional<Slot> running) {
        SystemLayout layout = new SystemLayout(esp, devices, running, SystemLayout.DEFAULT_KERNEL_OPTIONS,
                BundleSpec.TARGET_X86_64_EFI);
        return new SoftwareManager(layout, key.publicKey(), () -> {
            throw new IOException("no rebooting in tests");
        });
    }

    /** Power-on: systemd-boot picks an entry and counts the try; returns the manager of the booted system. */
    SoftwareManager boot() throws IOException {
        return manager(SystemdBootModel.boot(esp));
    }

    Path bundle(String name, String version, long seed) throws IOException {
        return TestBundles.bundle(root, name, TestBundles.spec(version), Optional.of(key), seed, SLOT_SIZE / 2, 100,
                200);
    }
}
