package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds a small full disk image (sparse, a few MiB of real data) from real partition images and reads it back
 * with the system's own tools: sfdisk for the table, blkid for the file systems, mtools for the ESP's files.
 */
class DiskImageTest {

    static final long MIB = 1024 * 1024;
    static final long EPOCH = 1_790_000_000L;
    static final DiskLayout LAYOUT = new DiskLayout(40 * MIB, 8 * MIB, 8 * MIB, "1a2b3c4");

    @TempDir
    Path tmp;

    @BeforeEach
    void tools() {
        for (String t : List.of("sfdisk", "blkid", "mkfs.vfat", "mcopy", "mkfs.ext4", "debugfs")) {
            Assumptions.assumeTrue(Exec.onPath(t), t + " is not installed (.ci/run installs it)");
        }
    }

    /** Builds the image; returns its path. Shared with FlasherTest. */
    static Path smallImage(Path tmp) throws IOException {
        Path rootDir = Files.createDirectories(tmp.resolve("rootfs/etc"));
        Files.writeString(rootDir.resolve("hostname"), "portcullis\n");
        Path rootImg = tmp.resolve("rootfs.img");
        Ext4Image.make(tmp.resolve("rootfs"), rootImg, 8 * MIB, "portcullis-root", LAYOUT.uuid("rootfs"), EPOCH,
                true);
        Path dataDir = Files.createDirectories(tmp.resolve("data/config"));
        Files.writeString(dataDir.resolve("appliance.yaml"), "node: edge1\n");
        Path dataImg = tmp.resolve("data.img");
        Ext4Image.make(tmp.resolve("data"), dataImg, 8 * MIB, DiskLayout.DATA_NAME, LAYOUT.uuid("data-fs"), EPOCH,
                true);
        Path efi = Files.writeString(tmp.resolve("systemd-bootx64.efi"), "MZ not really a boot loader");
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "kernel");
        Path initrd = Files.writeString(tmp.resolve("initrd.img"), "initrd");
        Manifest m = new Manifest(SoftwareVersion.parse("0.1.0"), "1a2b3c4", TestBundles.BUILT, "x86_64-efi", "none",
                List.of());
        EspTree.stage(tmp.resolve("esp"), efi, kernel, initrd, m, SystemLayout.DEFAULT_KERNEL_OPTIONS);
        Path espImg = tmp.resolve("esp.img");
        EspImage.make(tmp.resolve("esp"), espImg, LAYOUT.espBytes(), "1a2b3c4d", EPOCH);
        Path out = tmp.resolve("disk.img");
        DiskImage.assemble(LAYOUT, new DiskImage.Parts(espImg, rootImg, rootImg, dataImg), out, Progress.none());
        return out;
    }

    @Test
    void assemble_smallImage_hasTheGptLayout() throws IOException {
        Path disk = smallImage(tmp);
        String dump = Exec.check(List.of("sfdisk", "--dump", disk.toString()));
        assertThat(dump).contains("label: gpt", "label-id: " + LAYOUT.diskUuid().toString().toUpperCase());
        assertThat(dump).contains(disk + "1 : start=        2048, size=       81920, type=C12A7328-F81F-11D2-BA4B-"
                + "00A0C93EC93B, uuid=" + LAYOUT.uuid("esp").toString().toUpperCase() + ", name=\"esp\"");
        assertThat(dump).contains(disk + "2 : start=       83968, size=       16384, type=4F68BCE3-E8CD-4DB1-96E7-"
                + "FBCAF984B709", "name=\"portcullis-root-a\"");
        assertThat(dump).contains(disk + "3 : start=      100352, size=       16384", "name=\"portcullis-root-b\"");
        assertThat(dump).contains(disk + "4 : start=      116736, size=       16384, type=0FC63DAF-8483-4772-8E79-"
                + "3D69D8477DE4", "name=\"portcullis-data\"");
        assertThat(Files.size(disk)).isEqualTo(LAYOUT.diskBytes());
    }

    @Test
    void assemble_smallImage_partitionsHoldTheirFileSystems() throws IOException {
        Path disk = smallImage(tmp);
        List<DiskLayout.Partition> p = LAYOUT.partitions();
        assertThat(blkid(disk, p.get(0))).containsEntry("TYPE", "vfat").containsEntry("LABEL", "ESP");
        assertThat(blkid(disk, p.get(1))).containsEntry("TYPE", "ext4").containsEntry("LABEL", "portcullis-root");
        assertThat(blkid(disk, p.get(2))).containsEntry("TYPE", "ext4")
                .containsEntry("UUID", LAYOUT.uuid("rootfs").toString());
        assertThat(blkid(disk, p.get(3))).containsEntry("TYPE", "ext4").containsEntry("LABEL", "portcullis-data");
        String esp = disk + "@@" + p.get(0).offset();
        assertThat(Exec.check(List.of("mtype", "-i", esp, "::/loader/entries/portcullis-a.conf")))
                .contains("version 2", "options root=PARTLABEL=portcullis-root-a rw portcullis.slot=a");
        assertThat(Exec.check(List.of("mtype", "-i", esp, "::/loader/loader.conf"))).contains("editor no");
        assertThat(Exec.check(List.of("mdir", "-i", esp, "-b", "::/EFI/BOOT"))).contains("BOOTX64.EFI");
    }

    @Test
    void make_sameTreeTwice_givesIdenticalExt4Images() throws IOException {
        // mke2fs copies atime and ctime from the source; touching the tree between builds must not show.
        Path src = Files.createDirectories(tmp.resolve("tree/usr/lib"));
        Files.writeString(src.resolve("a"), "alpha");
        Files.createSymbolicLink(src.resolve("b"), Path.of("a"));
        Path one = tmp.resolve("one.img");
        Ext4Image.make(tmp.resolve("tree"), one, 4 * MIB, "t", LAYOUT.uuid("t"), EPOCH, false);
        Files.setLastModifiedTime(src.resolve("a"), FileTime.from(Instant.ofEpochSecond(EPOCH + 99)));
        Files.readString(src.resolve("a"));
        Files.setPosixFilePermissions(src.resolve("a"), java.nio.file.attribute.PosixFilePermissions.fromString(
                "rw-r--r--"));
        Path two = tmp.resolve("two.img");
        Ext4Image.make(tmp.resolve("tree"), two, 4 * MIB, "t", LAYOUT.uuid("t"), EPOCH, false);
        assertThat(Sha256.of(two, Progress.none())).isEqualTo(Sha256.of(one, Progress.none()));
    }

    static Map<String, String> blkid(Path disk, DiskLayout.Partition p) throws IOException {
        String out = Exec.check(List.of("blkid", "-p", "-o", "export", "-O", Long.toString(p.offset()), "-S",
                Long.toString(p.size()), disk.toString()));
        Map<String, String> tags = new java.util.HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                tags.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return tags;
    }
}
