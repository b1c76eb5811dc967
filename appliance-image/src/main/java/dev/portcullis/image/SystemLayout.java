package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the slots of this system are: the ESP, the partition (or, in tests, the file) behind each slot, which slot
 * is running, and the kernel options new entries get besides those naming their slot.
 *
 * @param running empty when the system was not booted from a slot (then nothing can be installed)
 */
public record SystemLayout(EspLayout esp, Map<Slot, Path> slotDevices, Optional<Slot> running, String kernelOptions,
                           String target) {

    /** Kernel options of the appliance: serial and screen console, reboot 10 s after a panic (so it falls back). */
    public static final String DEFAULT_KERNEL_OPTIONS = "console=tty0 console=ttyS0,115200 panic=10";
    /** Where the appliance mounts its ESP. */
    public static final Path APPLIANCE_ESP = Path.of("/efi");

    public SystemLayout {
        Objects.requireNonNull(esp, "esp");
        slotDevices = Map.copyOf(slotDevices);
        for (Slot s : Slot.values()) {
            if (!slotDevices.containsKey(s)) {
                throw new IllegalArgumentException("no device for slot " + s.id());
            }
        }
        Objects.requireNonNull(running, "running");
        Objects.requireNonNull(kernelOptions, "kernelOptions");
        Manifest.require(Manifest.NAME, target, "target");
    }

    /**
     * The layout of a running appliance: the ESP at {@link #APPLIANCE_ESP}, the slots by partition label under
     * {@code /dev/disk/by-partlabel/}, the running slot from {@code portcullis.slot=} in {@code /proc/cmdline}.
     */
    public static SystemLayout appliance() throws IOException {
        return of(APPLIANCE_ESP, Path.of("/dev/disk/by-partlabel"), Path.of("/proc/cmdline"));
    }

    static SystemLayout of(Path esp, Path byPartLabel, Path cmdline) throws IOException {
        String line;
        try {
            line = Files.readString(cmdline);
        } catch (NoSuchFileException e) {
            line = "";
        }
        Map<Slot, Path> devices = new EnumMap<>(Slot.class);
        for (Slot s : Slot.values()) {
            devices.put(s, byPartLabel.resolve(s.partitionLabel()));
        }
        return new SystemLayout(new EspLayout(esp), devices, KernelCommandLine.slot(line), DEFAULT_KERNEL_OPTIONS,
                BundleSpec.TARGET_X86_64_EFI);
    }
}
