package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlasherTest {

    private static final Flasher.Confirmation NEVER_ASKED = q -> {
        throw new AssertionError("asked: " + q);
    };

    @TempDir
    Path tmp;

    @Test
    void flash_intoAFile_writesAndVerifiesTheWholeImage() throws Exception {
        Assumptions.assumeTrue(Exec.onPath("sfdisk") && Exec.onPath("mcopy"), "sfdisk/mtools missing");
        Path image = DiskImageTest.smallImage(Files.createDirectories(tmp.resolve("build")));
        Path target = tmp.resolve("sdX.img");
        Files.write(target, TestBundles.bytes(1, 5000)); // old content, shorter than the image: replaced

        Flasher.Result r = new Flasher(TargetCheck.system(), NEVER_ASKED).flash(image, target, false, Progress.none());

        assertThat(r.sha256()).isEqualTo(Sha256.of(image, Progress.none()));
        assertThat(Sha256.of(target, Progress.none())).isEqualTo(r.sha256());
        String dump = Exec.check(List.of("sfdisk", "--dump", target.toString()));
        assertThat(dump).contains("label: gpt", "name=\"esp\"", "name=\"portcullis-root-a\"",
                "name=\"portcullis-root-b\"", "name=\"portcullis-data\"");
        List<DiskLayout.Partition> p = DiskImageTest.LAYOUT.partitions();
        assertThat(DiskImageTest.blkid(target, p.get(0))).containsEntry("TYPE", "vfat");
        assertThat(DiskImageTest.blkid(target, p.get(1))).containsEntry("TYPE", "ext4");
        assertThat(DiskImageTest.blkid(target, p.get(3))).containsEntry("LABEL", "portcullis-data");
        // Zeros are holes in a file target: far fewer blocks than bytes.
        long allocated = Long.parseLong(Exec.check(List.of("stat", "-c", "%b", target.toString())).strip()) * 512;
        assertThat(allocated).isLessThan(Files.size(target) / 4);
    }

    @Test
    void flash_imageEndingInZeros_givesAFileOfTheFullSize() throws Exception {
        byte[] content = new byte[3 << 20];
        System.arraycopy(TestBundles.bytes(4, 1000), 0, content, 1 << 20, 1000);
        Path image = Files.write(tmp.resolve("zeros.img"), content);
        Path target = tmp.resolve("t.img");
        Flasher.Result r = new Flasher(TargetCheck.system(), NEVER_ASKED).flash(image, target, false, Progress.none());
        assertThat(Files.size(target)).isEqualTo(content.length);
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
        assertThat(r.sha256()).isEqualTo(Sha256.of(content));
    }

    @Test
    void flash_ontoTheImageItself_isRefused() throws Exception {
        Path image = Files.write(tmp.resolve("disk.img"), TestBundles.bytes(2, 4096));
        assertThatThrownBy(() -> new Flasher(TargetCheck.system(), NEVER_ASKED).flash(image, image, true,
                Progress.none())).isInstanceOf(FlashException.class).hasMessageContaining("is the image itself");
        assertThat(Files.readAllBytes(image)).isEqualTo(TestBundles.bytes(2, 4096));
    }

    @Test
    void flash_ontoADirectory_isRefused() throws Exception {
        Path image = Files.write(tmp.resolve("disk.img"), TestBundles.bytes(2, 4096));
        assertThatThrownBy(() -> new Flasher(TargetCheck.system(), NEVER_ASKED).flash(image, tmp, true,
                Progress.none())).isInstanceOf(FlashException.class)
                .hasMessage(tmp + ": neither a block device nor a regular file");
    }

    @Test
    void refusal_rootDeviceOfThisMachine_isRefused() throws Exception {
        // Only inspects: finds the device mounted on / and asks whether it may be written.
        Optional<String> root = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f[1].equals("/") && f[0].startsWith("/dev/")).map(f -> f[0]).findFirst();
        Assumptions.assumeTrue(root.isPresent() && BlockDevices.isBlockDevice(Path.of(root.get())),
                "/ is not on a block device here");
        FlashTarget t = FlashTarget.inspect(Path.of(root.get()), Path.of("/sys/class/block"));
        assertThat(TargetCheck.system().refusal(t)).get().asString().contains("is mounted on /");
    }

    /** A fake /proc, /sys/class/block and /dev: disk sdb with partitions sdb1 and sdb2, disk sdc. */
    private TargetCheck fake(String mounts, String cmdline) throws IOException {
        Path sys = Files.createDirectories(tmp.resolve("sys/class/block"));
        Path devices = Files.createDirectories(tmp.resolve("sys/devices/pci/block"));
        for (String disk : List.of("sdb", "sdc")) {
            Files.createDirectories(devices.resolve(disk).resolve("holders"));
            Files.createSymbolicLink(sys.resolve(disk), devices.resolve(disk));
        }
        for (String part : List.of("sdb1", "sdb2")) {
            Path p = devices.resolve("sdb").resolve(part);
            Files.createDirectories(p.resolve("holders"));
            Files.writeString(p.resolve("partition"), part.substring(3) + "\n");
            Files.createSymbolicLink(sys.resolve(part), p);
        }
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        for (String n : List.of("sdb", "sdb1", "sdb2", "sdc")) {
            Files.writeString(dev.resolve(n), "");
        }
        Files.createDirectories(dev.resolve("disk/by-partuuid"));
        Files.createSymbolicLink(dev.resolve("disk/by-partuuid/0f0e-02"), dev.resolve("sdb2"));
        return new TargetCheck(Files.writeString(tmp.resolve("mounts"), mounts),
                Files.writeString(tmp.resolve("cmdline"), cmdline), sys, dev);
    }

    private static FlashTarget.BlockDevice sdb() {
        return new FlashTarget.BlockDevice(Path.of("/dev/sdb"), "sdb", "sdb", 1L << 30);
    }

    @Test
    void refusal_diskWithAMountedPartition_namesThePartitionAndMountPoint() throws Exception {
        TargetCheck c = fake("/dev/vda / ext4 rw 0 0\n/dev/sdb2 /media/usb\\040stick vfat rw 0 0\n", "quiet\n");
        assertThat(c.refusal(sdb())).contains("/dev/sdb: sdb2 is mounted on /media/usb stick; unmount it first");
    }

    @Test
    void refusal_partitionHeldByDeviceMapper_isRefused() throws Exception {
        TargetCheck c = fake("", "quiet\n");
        Files.createDirectories(tmp.resolve("sys/devices/pci/block/sdb/sdb1/holders/dm-0"));
        assertThat(c.refusal(sdb())).contains("/dev/sdb: sdb1 is in use by dm-0 (device-mapper, RAID or LVM)");
    }

    @Test
    void refusal_bootDiskByPartuuid_isRefused() throws Exception {
        TargetCheck c = fake("", "BOOT_IMAGE=/vmlinuz root=PARTUUID=0f0e-02 ro quiet\n");
        assertThat(c.refusal(sdb())).contains("/dev/sdb: disk sdb is the one the running system booted from");
        assertThat(c.refusal(new FlashTarget.BlockDevice(Path.of("/dev/sdc"), "sdc", "sdc", 1L << 30))).isEmpty();
    }

    @Test
    void flash_loopDevice_asksFirstThenWritesAndVerifiesWithDirectReads() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Exec.onPath("losetup"),
                "needs root and losetup for a real block device");
        Path backing = tmp.resolve("backing.img");
        try (var f = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        Exec.Result attach = Exec.run(List.of("losetup", "--find", "--show", backing.toString()), java.util.Map.of(),
                new byte[0]);
        Assumptions.assumeTrue(attach.exit() == 0, "no loop device available: " + attach.err());
        Path loop = Path.of(attach.out().strip());
        try {
            Path image = Files.write(tmp.resolve("disk.img"), TestBundles.bytes(3, 3 << 20));
            AtomicReference<String> asked = new AtomicReference<>();
            Flasher refusing = new Flasher(TargetCheck.system(), q -> {
                asked.set(q);
                return false;
            });
            assertThatThrownBy(() -> refusing.flash(image, loop, false, Progress.none()))
                    .hasMessage(loop + ": not confirmed; nothing was written");
            assertThat(asked.get()).contains("Write " + image, "Everything on it is lost");
            assertThat(Sha256.of(backing, Progress.none())).isEqualTo(Sha256.of(new byte[8 << 20]));

            Flasher.Result r = new Flasher(TargetCheck.system(), q -> true).flash(image, loop, false, Progress.none());
            assertThat(r.sha256()).isEqualTo(Sha256.of(image, Progress.none()));
            // The file behind the loop device is in use too.
            assertThatThrownBy(() -> new Flasher(TargetCheck.system(), NEVER_ASKED).flash(image, backing, true,
                    Progress.none())).hasMessageContaining("backs loop device");
        } finally {
            Exec.run(List.of("losetup", "--detach", loop.toString()), java.util.Map.of(), new byte[0]);
        }
    }
}
