package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ManifestFormatTest {

    private static final String HASH = "ab".repeat(32);

    private static Manifest sample(Instant built) {
        return new Manifest(SoftwareVersion.parse("0.2.0+g1a2b3c4"), "1a2b3c4", built, "x86_64-efi",
                "sha256:" + "cd".repeat(32), List.of(new Manifest.Part("rootfs", 1024, HASH),
                        new Manifest.Part("kernel", 10, HASH), new Manifest.Part("initrd", 0, HASH)));
    }

    @Test
    void write_sample_isTheDocumentedCanonicalText() {
        assertThat(new String(ManifestFormat.write(sample(TestBundles.BUILT)), StandardCharsets.UTF_8)).isEqualTo("""
                portcullis-bundle 1
                version 0.2.0+g1a2b3c4
                source 1a2b3c4
                build-time 2026-11-28T09:10:00Z
                target x86_64-efi
                signing-key sha256:%s
                part initrd 0 sha256:%s
                part kernel 10 sha256:%s
                part rootfs 1024 sha256:%s
                """.formatted("cd".repeat(32), HASH, HASH, HASH));
    }

    @Test
    void write_twoBuildTimes_differOnlyInTheBuildTimeLine() {
        String[] a = new String(ManifestFormat.write(sample(TestBundles.BUILT)), StandardCharsets.UTF_8).split("\n");
        String[] b = new String(ManifestFormat.write(sample(TestBundles.BUILT.plusSeconds(3600))),
                StandardCharsets.UTF_8).split("\n");
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) {
            if (!a[i].startsWith("build-time ")) {
                assertThat(a[i]).isEqualTo(b[i]);
            }
        }
    }

    @Property(tries = 200)
    void parse_ofWrite_isTheSameManifest(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long epoch,
                                         @ForAll @IntRange(min = 0, max = 99) int patch,
                                         @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 4) long size) {
        Manifest m = new Manifest(SoftwareVersion.parse("1.0." + patch), "unknown", Instant.ofEpochSecond(epoch),
                "x86_64-efi", "none", List.of(new Manifest.Part("rootfs", size, HASH)));
        assertThat(ManifestFormat.parse(ManifestFormat.write(m))).isEqualTo(m);
    }

    @Test
    void parse_wrongKeyOnALine_namesTheLine() {
        String text = new String(ManifestFormat.write(sample(TestBundles.BUILT)), StandardCharsets.UTF_8)
                .replace("target ", "targte ");
        assertThatThrownBy(() -> ManifestFormat.parse(text.getBytes(StandardCharsets.UTF_8)))
                .hasMessage("manifest line 5: expected 'target VALUE', found 'targte x86_64-efi'");
    }

    @Test
    void parse_partsOutOfOrder_isNotCanonical() {
        String text = new String(ManifestFormat.write(sample(TestBundles.BUILT)), StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        String swapped = String.join("\n", lines[0], lines[1], lines[2], lines[3], lines[4], lines[5], lines[8],
                lines[7], lines[6]) + "\n";
        assertThatThrownBy(() -> ManifestFormat.parse(swapped.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not in canonical form");
    }

    @Test
    void parse_badSize_saysWhich() {
        String text = new String(ManifestFormat.write(sample(TestBundles.BUILT)), StandardCharsets.UTF_8)
                .replace("part kernel 10 ", "part kernel ten ");
        assertThatThrownBy(() -> ManifestFormat.parse(text.getBytes(StandardCharsets.UTF_8)))
                .hasMessage("manifest line 8: size 'ten' is not a number");
    }
}
