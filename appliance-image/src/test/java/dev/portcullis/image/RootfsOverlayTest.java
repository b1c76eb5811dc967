package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsOverlayTest {

    @TempDir
    Path tmp;

    @Test
    void stage_repositoryConfigs_laysOutTheImageAdditions() throws Exception {
        Path jar = Files.writeString(tmp.resolve("app.jar"), "jar");
        Path overlay = tmp.resolve("overlay");
        SigningKey key = TestBundles.key(40);
        RootfsOverlay.stage(overlay, CommandLineRepo.file("configs"), List.of(jar), key.publicKey(),
                SoftwareVersion.parse("0.2.0+gabc"));

        assertThat(VerifyingKey.read(overlay.resolve(RootfsOverlay.PUBLIC_KEY)).fingerprint())
                .isEqualTo(key.publicKey().fingerprint());
        assertThat(overlay.resolve("opt/portcullis/lib/app.jar")).hasContent("jar");
        assertThat(Files.readString(overlay.resolve("etc/systemd/system/portcullis.service")))
                .contains("ExecStart=/usr/bin/portcullis run --config /data/config", "Restart=on-failure",
                        "ProtectSystem=strict", "NoNewPrivileges=yes");
        assertThat(overlay.resolve("etc/systemd/system/portcullis-boot-assessment.service")).exists();
        assertThat(overlay.resolve(RootfsOverlay.DEFAULT_CONFIG).resolve("appliance.yaml")).exists();
        assertThat(Files.readString(overlay.resolve("usr/bin/portcullis")))
                .contains("/opt/portcullis/runtime/bin/java", "dev.portcullis.appliance/dev.portcullis.appliance.Main",
                        "-Dportcullis.version=\"$(cat /" + RootfsOverlay.VERSION_FILE + " 2>/dev/null)\"");
        for (String exe : List.of("usr/bin/portcullis", "usr/bin/portcullis-image", "usr/lib/portcullis/init-data")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(overlay.resolve(exe))))
                    .as(exe).isEqualTo("rwxr-xr-x");
        }
        assertThat(Files.readString(overlay.resolve("etc/fstab"))).contains("PARTLABEL=portcullis-data  /data");
        assertThat(overlay.resolve(RootfsOverlay.VERSION_FILE)).hasContent("0.2.0+gabc");
    }
}
