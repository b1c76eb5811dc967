package dev.portcullis.image;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The GPT layout of a full appliance disk: the EFI system partition, root slots A and B of equal size, and the
 * data partition that keeps configuration, revisions, keys and logs across upgrades. Partitions start on 1 MiB
 * boundaries; the disk and partition GUIDs are derived from {@code seed} (the source commit), so the same commit
 * gives the same table.
 *
 * <pre>
 * 1 MiB       GPT header and table
 * esp         "esp"                 C12A7328-F81F-11D2-BA4B-00A0C93EC93B  FAT32, systemd-boot, kernels
 * root        "portcullis-root-a"   4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709  ext4, root file system of slot A
 * root        "portcullis-root-b"   4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709  ext4, root file system of slot B
 * data        "portcullis-data"     0FC63DAF-8483-4772-8E79-3D69D8477DE4  ext4, /data
 * 1 MiB       backup GPT
 * </pre>
 */
public record DiskLayout(long espBytes, long rootBytes, long dataBytes, String seed) {

    static final long MIB = 1024 * 1024;
    static final String ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
    /** "Linux root (x86-64)" of the Discoverable Partitions Specification. */
    static final String ROOT_X86_64_TYPE = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";
    static final String LINUX_DATA_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
    public static final String ESP_NAME = "esp";
    public static final String DATA_NAME = "portcullis-data";

    /** One partition: where it starts and how long it is, in bytes. */
    public record Partition(int number, String name, String type, UUID uuid, long offset, long size) {
    }

    public DiskLayout {
        for (long size : new long[] {espBytes, rootBytes, dataBytes}) {
            if (size < MIB || size % MIB != 0) {
                throw new IllegalArgumentException("partition sizes must be whole MiB, at least 1: " + size);
            }
        }
        if (espBytes < 33 * MIB) {
            throw new IllegalArgumentException("the ESP must be at least 33 MiB (FAT32): " + espBytes / MIB);
        }
    }

    public List<Partition> partitions() {
        long at = MIB;
        Partition esp = new Partition(1, ESP_NAME, ESP_TYPE, uuid(ESP_NAME), at, espBytes);
        at += espBytes;
        Partition a = new Partition(2, Slot.A.partitionLabel(), ROOT_X86_64_TYPE, uuid(Slot.A.partitionLabel()), at,
                rootBytes);
        at += rootBytes;
        Partition b = new Partition(3, Slot.B.partitionLabel(), ROOT_X86_64_TYPE, uuid(Slot.B.partitionLabel()), at,
                rootBytes);
        at += rootBytes;
        Partition data = new Partition(4, DATA_NAME, LINUX_DATA_TYPE, uuid(DATA_NAME), at, dataBytes);
        return List.of(esp, a, b, data);
    }

    public Partition slot(Slot s) {
        return partitions().get(s == Slot.A ? 1 : 2);
    }

    /** Everything, with 1 MiB before the first partition and 1 MiB after the last for the backup GPT. */
    public long diskBytes() {
        return MIB + espBytes + 2 * rootBytes + dataBytes + MIB;
    }

    public UUID diskUuid() {
        return uuid("disk");
    }

    /** A name-based UUID of the seed and {@code name}: stable for one commit, different between commits. */
    UUID uuid(String name) {
        return UUID.nameUUIDFromBytes(("portcullis/" + seed + "/" + name).getBytes(StandardCharsets.UTF_8));
    }

    /** The sfdisk script that writes this table. */
    public String sfdiskScript() {
        StringBuilder s = new StringBuilder();
        s.append("label: gpt\n");
        s.append("label-id: ").append(diskUuid().toString().toUpperCase(java.util.Locale.ROOT)).append('\n');
        s.append("unit: sectors\n");
        s.append("first-lba: 2048\n");
        s.append("sector-size: 512\n\n");
        for (Partition p : partitions()) {
            s.append("start=").append(p.offset() / 512).append(", size=").append(p.size() / 512)
                    .append(", type=").append(p.type())
                    .append(", uuid=").append(p.uuid().toString().toUpperCase(java.util.Locale.ROOT))
                    .append(", name=\"").append(p.name()).append("\"\n");
        }
        return s.toString();
    }
}
