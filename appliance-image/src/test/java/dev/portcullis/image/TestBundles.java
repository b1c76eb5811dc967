package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Makes keys and small bundles for tests: parts of seeded random bytes, so every run sees the same content. */
final class TestBundles {

    static final Instant BUILT = Instant.parse("2026-11-28T09:10:00Z");

    private TestBundles() {
    }

    static SigningKey key(long seed) {
        SecureRandom r;
        try {
            r = SecureRandom.getInstance("SHA1PRNG");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        r.setSeed(seed);
        return SigningKey.generate(r);
    }

    static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static BundleSpec spec(String version) {
        return new BundleSpec(SoftwareVersion.parse(version), "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", BUILT,
                BundleSpec.TARGET_X86_64_EFI);
    }

    /** Writes a bundle of rootfs, kernel and initrd parts of the given sizes, seeded by {@code seed}. */
    static Path bundle(Path dir, String name, BundleSpec spec, Optional<SigningKey> key, long seed, int rootfs,
                       int kernel, int initrd) throws IOException {
        Path parts = Files.createDirectories(dir.resolve(name + ".parts"));
        Map<String, Path> files = new LinkedHashMap<>();
        files.put(Manifest.ROOTFS, Files.write(parts.resolve("rootfs.img"), bytes(seed, rootfs)));
        files.put(Manifest.KERNEL, Files.write(parts.resolve("vmlinuz"), bytes(seed + 1, kernel)));
        files.put(Manifest.INITRD, Files.write(parts.resolve("initrd.img"), bytes(seed + 2, initrd)));
        Path out = dir.resolve(name);
        BundleWriter.write(out, spec, files, key, Progress.none());
        return out;
    }
}
