package dev.portcullis.image;

import java.time.Instant;
import java.util.Objects;

/** What a bundle's manifest says besides its parts and key: version, source commit, build time and target. */
public record BundleSpec(SoftwareVersion version, String source, Instant buildTime, String target) {

    /** The only target images are built for so far: x86-64 machines booting through UEFI. */
    public static final String TARGET_X86_64_EFI = "x86_64-efi";

    public BundleSpec {
        Objects.requireNonNull(version, "version");
        Manifest.require(Manifest.SOURCE, source, "source commit");
        Objects.requireNonNull(buildTime, "buildTime");
        Manifest.require(Manifest.NAME, target, "target");
    }
}
