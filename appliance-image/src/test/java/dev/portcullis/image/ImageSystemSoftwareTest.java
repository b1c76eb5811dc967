package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.mgmt.console.SystemSoftware;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's software commands over a real SoftwareManager on a stand-in appliance (temp ESP and slots). */
class ImageSystemSoftwareTest {

    @TempDir
    Path tmp;

    private ApplianceFixture box;

    @BeforeEach
    void setUp() throws Exception {
        box = new ApplianceFixture(tmp, "0.1.0");
    }

    @Test
    void add_signedBundle_installsToTheOtherSlotAndShowSaysSo() throws Exception {
        SystemSoftware sw = new ImageSystemSoftware(box.boot());
        assertThat(sw.show()).contains("0.1.0");
        String told = sw.add(box.bundle("u.bundle", "0.2.0", 1), false);
        assertThat(told).contains("0.2.0", "slot B", "tried once at the next boot");
        assertThat(sw.show()).contains("0.1.0", "0.2.0");
    }

    @Test
    void add_tamperedOrOlder_refusedWithTheReasonAndNothingWritten() throws Exception {
        SystemSoftware sw = new ImageSystemSoftware(box.boot());
        Path bad = box.bundle("bad.bundle", "0.2.0", 9);
        byte[] bytes = Files.readAllBytes(bad);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(bad, bytes);
        String before = sw.show();
        assertThatThrownBy(() -> sw.add(bad, false)).isInstanceOf(SystemSoftware.SoftwareException.class)
                .hasMessageNotContaining("installed");
        assertThat(sw.show()).isEqualTo(before);

        Path older = box.bundle("old.bundle", "0.0.9", 2);
        assertThatThrownBy(() -> sw.add(older, false)).isInstanceOf(SystemSoftware.SoftwareException.class)
                .hasMessageContaining("0.0.9");
        assertThat(sw.add(older, true)).contains("0.0.9");
    }
}
