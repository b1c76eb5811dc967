package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoftwareManagerTest {

    private static final HealthCheck HEALTHY = List::of;
    private static final HealthCheck SICK = () -> List.of("listener 0.0.0.0:443 is not up");

    @TempDir
    Path tmp;

    private ApplianceFixture box;

    @BeforeEach
    void setUp() throws IOException {
        box = new ApplianceFixture(tmp, "0.1.0");
    }

    private byte[] slotBytes(Slot s) throws IOException {
        return Files.readAllBytes(box.devices.get(s));
    }

    private static String entryNames(ApplianceFixture box) throws IOException {
        try (var files = Files.list(box.esp.entries())) {
            return files.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }

    @Test
    void add_verifiedBundle_writesInactiveSlotWithOneTry() throws Exception {
        Path bundle = box.bundle("u.bundle", "0.2.0", 1);
        SoftwareManager.Installed done = box.boot().add(bundle, false, Progress.none());

        assertThat(done.slot()).isEqualTo(Slot.B);
        assertThat(entryNames(box)).isEqualTo("[portcullis-a.conf, portcullis-b+1-0.conf]");
        assertThat(java.util.Arrays.copyOf(slotBytes(Slot.B), ApplianceFixture.SLOT_SIZE / 2))
                .isEqualTo(TestBundles.bytes(1, ApplianceFixture.SLOT_SIZE / 2));
        assertThat(Files.readAllBytes(box.esp.kernel(Slot.B))).isEqualTo(TestBundles.bytes(2, 100));
        assertThat(Files.readAllBytes(box.esp.initrd(Slot.B))).isEqualTo(TestBundles.bytes(3, 200));
        assertThat(Files.readString(box.esp.entries().resolve("portcullis-b+1-0.conf"))).isEqualTo("""
                title Portcullis 0.2.0 (slot b)
                sort-key portcullis
                version 2
                linux /portcullis/b/vmlinuz
                initrd /portcullis/b/initrd.img
                options root=PARTLABEL=portcullis-root-b rw portcullis.slot=b console=tty0 console=ttyS0,115200 panic=10
                """);
    }

    @Test
    void slots_afterAdd_showBothVersionsAndWhichBootsNext() throws Exception {
        SoftwareManager m = box.boot();
        m.add(box.bundle("u.bundle", "0.2.0", 1), false, Progress.none());
        List<SlotStatus> slots = m.slots();
        assertThat(slots).extracting(s -> s.software().map(x -> x.version().toString()).orElse("-"))
                .containsExactly("0.1.0", "0.2.0");
        assertThat(slots).extracting(SlotStatus::health).containsExactly(SlotHealth.GOOD, SlotHealth.UNTRIED);
        assertThat(slots).extracting(SlotStatus::running).containsExactly(true, false);
        assertThat(slots).extracting(SlotStatus::bootsNext).containsExactly(false, true);
    }

    @Test
    void boot_healthyNewSlot_isMarkedGoodAndStays() throws Exception {
        box.boot().add(box.bundle("u.bundle", "0.2.0", 1), false, Progress.none());

        SoftwareManager onB = box.boot();
        assertThat(entryNames(box)).isEqualTo("[portcullis-a.conf, portcullis-b+0-1.conf]");
        assertThat(onB.slots().get(1).health()).isEqualTo(SlotHealth.ON_TRIAL);

        SoftwareManager.Assessment a = onB.assessBoot(HEALTHY, Duration.ofSeconds(5), Duration.ofMillis(10));
        assertThat(a.outcome()).isEqualTo(SoftwareManager.Assessment.Outcome.MARKED_GOOD);
        assertThat(entryNames(box)).isEqualTo("[portcullis-a.conf, portcullis-b.conf]");
        // Every later boot chooses B, which keeps no counter.
        assertThat(box.boot().slots()).extracting(SlotStatus::running).containsExactly(false, true);
        assertThat(box.boot().assessBoot(SICK, Duration.ZERO, Duration.ZERO).outcome())
                .isEqualTo(SoftwareManager.Assessment.Outcome.ALREADY_GOOD);
    }

    @Test
    void boot_unhealthyNewSlot_isMarkedBadAndTheNextBootFallsBack() throws Exception {
        box.boot().add(box.bundle("u.bundle", "0.2.0", 1), false, Progress.none());

        SoftwareManager onB = box.boot();
        AtomicInteger asked = new AtomicInteger();
        SoftwareManager.Assessment a = onB.assessBoot(() -> {
            asked.incrementAndGet();
            return SICK.problems();
        }, Duration.ofMillis(50), Duration.ofMillis(5));
        assertThat(a.outcome()).isEqualTo(SoftwareManager.Assessment.Outcome.MARKED_BAD);
        assertThat(a.problems()).containsExactly("listener 0.0.0.0:443 is not up");
        assertThat(asked).hasValueGreaterThan(1);
        assertThat(entryNames(box)).isEqualTo("[portcullis-a.conf, portcullis-b+0-1.conf]");

        SoftwareManager back = box.boot();
        assertThat(back.slots()).extracting(SlotStatus::running).containsExactly(true, false);
        assertThat(back.slots()).extracting(SlotStatus::health).containsExactly(SlotHealth.GOOD, SlotHealth.BAD);
    }

    @Test
    void boot_newSlotThatNeverReportsBack_fallsBackOnTheNextBoot() throws Exception {
        // The new software hangs or crashes before its health check: nobody renames the entry.
        box.boot().add(box.bundle("u.bundle", "0.2.0", 1), false, Progress.none());
        box.boot();
        assertThat(box.boot().slots()).extracting(SlotStatus::running).containsExactly(true, false);
    }

    @Test
    void add_olderVersion_isRefusedUnlessForced() throws Exception {
        Path older = box.bundle("old.bundle", "0.0.9", 1);
        byte[] before = slotBytes(Slot.B);
        assertThatThrownBy(() -> box.boot().add(older, false, Progress.none()))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.failure())
                        .isEqualTo(BundleException.Failure.OLDER))
                .hasMessageContaining("version 0.0.9 is older than the running 0.1.0");
        assertThat(slotBytes(Slot.B)).isEqualTo(before);
        assertThat(box.boot().add(older, true, Progress.none()).slot()).isEqualTo(Slot.B);
    }

    @Test
    void add_tamperedBundle_writesNothingAndKeepsTheOtherSlotBootable() throws Exception {
        // Slot B holds a good older install; a tampered bundle must not cost us that fallback.
        SoftwareManager m = box.boot();
        m.add(box.bundle("u.bundle", "0.2.0", 1), false, Progress.none());
        box.boot().assessBoot(HEALTHY, Duration.ofSeconds(1), Duration.ofMillis(1));
        box.boot().add(box.bundle("v.bundle", "0.3.0", 5), false, Progress.none()); // now into A
        box.boot().assessBoot(HEALTHY, Duration.ofSeconds(1), Duration.ofMillis(1));
        String entriesBefore = entryNames(box);
        byte[] bBefore = slotBytes(Slot.B);

        Path bad = box.bundle("bad.bundle", "0.4.0", 9);
        byte[] bytes = Files.readAllBytes(bad);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(bad, bytes);
        assertThatThrownBy(() -> box.boot().add(bad, false, Progress.none())).isInstanceOf(BundleException.class);
        assertThat(entryNames(box)).isEqualTo(entriesBefore).isEqualTo("[portcullis-a.conf, portcullis-b.conf]");
        assertThat(slotBytes(Slot.B)).isEqualTo(bBefore);
    }

    @Test
    void add_interruptedWhileWritingTheSlot_leavesTheRunningSlotIntactAndTheOtherUnbootable() throws Exception {
        Path bundle = box.bundle("u.bundle", "0.2.0", 1);
        byte[] aBefore = slotBytes(Slot.A);
        String aEntry = Files.readString(box.esp.entries().resolve("portcullis-a.conf"));
        Progress failing = new Progress() {
            private long written;
            private boolean writing;

            @Override
            public void begin(String step, long total) {
                writing = step.startsWith("write root file system");
            }

            @Override
            public void advance(long bytes) {
                written += writing ? bytes : 0;
                if (written > 0) {
                    throw new IllegalStateException("power cut");
                }
            }

            @Override
            public void end() {
            }
        };
        assertThatThrownBy(() -> box.boot().add(bundle, false, failing)).hasMessage("power cut");

        assertThat(slotBytes(Slot.A)).isEqualTo(aBefore);
        assertThat(entryNames(box)).isEqualTo("[portcullis-a.conf]");
        assertThat(Files.readString(box.esp.entries().resolve("portcullis-a.conf"))).isEqualTo(aEntry);
        SoftwareManager after = box.boot();
        assertThat(after.slots()).extracting(SlotStatus::running).containsExactly(true, false);
        assertThat(after.slots()).extracting(SlotStatus::health).containsExactly(SlotHealth.GOOD, SlotHealth.EMPTY);
        // And the next attempt goes through.
        assertThat(after.add(bundle, false, Progress.none()).slot()).isEqualTo(Slot.B);
    }

    @Test
    void add_whileRunningSlotIsOnTrial_isRefusedToKeepTheFallback() throws Exception {
        box.boot().add(box.bundle("u.bundle", "0.2.0", 1), false, Progress.none());
        SoftwareManager onB = box.boot();
        Path next = box.bundle("v.bundle", "0.3.0", 5);
        assertThatThrownBy(() -> onB.add(next, false, Progress.none())).isInstanceOf(InstallException.class)
                .hasMessageContaining("the running slot b is on trial");
    }

    @Test
    void add_notBootedFromASlot_isRefused() throws Exception {
        Path bundle = box.bundle("u.bundle", "0.2.0", 1);
        assertThatThrownBy(() -> box.manager(Optional.empty()).add(bundle, false, Progress.none()))
                .isInstanceOf(InstallException.class).hasMessageContaining("no portcullis.slot=");
    }

    @Test
    void add_rootfsLargerThanTheSlot_isRefusedBeforeWriting() throws Exception {
        Path big = TestBundles.bundle(tmp, "big.bundle", TestBundles.spec("0.2.0"), Optional.of(box.key), 1,
                ApplianceFixture.SLOT_SIZE + 1, 10, 10);
        assertThatThrownBy(() -> box.boot().add(big, false, Progress.none())).isInstanceOf(InstallException.class)
                .hasMessageContaining("holds " + ApplianceFixture.SLOT_SIZE);
        assertThat(entryNames(box)).isEqualTo("[portcullis-a.conf]");
    }

    @Test
    void add_bundleForAnotherTarget_isRefused() throws Exception {
        Path arm = TestBundles.bundle(tmp, "arm.bundle", new BundleSpec(SoftwareVersion.parse("0.2.0"), "unknown",
                TestBundles.BUILT, "aarch64-efi"), Optional.of(box.key), 1, 100, 10, 10);
        assertThatThrownBy(() -> box.boot().add(arm, false, Progress.none()))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.failure())
                        .isEqualTo(BundleException.Failure.WRONG_TARGET));
    }
}
