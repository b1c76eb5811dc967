package dev.portcullis.image;

import java.util.Optional;

/**
 * One line of {@code show system software}: a slot, the software in it (from the signed manifest kept on the ESP),
 * whether it is running, its health, and whether the boot loader picks it at the next boot.
 */
public record SlotStatus(Slot slot, Optional<Manifest> software, boolean running, SlotHealth health,
                         boolean bootsNext, long generation) {
}
