package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {

    private static final SigningKey KEY = TestBundles.key(10);
    private static final SigningKey OTHER = TestBundles.key(11);

    @TempDir
    Path tmp;

    private Path small(String name) throws IOException {
        return TestBundles.bundle(tmp, name, TestBundles.spec("0.2.0"), Optional.of(KEY), 7, 300, 40, 50);
    }

    @Test
    void verify_signedBundle_givesTheManifestAndParts() throws Exception {
        Path b = small("ok.bundle");
        Bundle bundle = Bundle.verify(b, KEY.publicKey(), Progress.none());
        assertThat(bundle.manifest().version()).hasToString("0.2.0");
        assertThat(bundle.manifest().signingKey()).isEqualTo(KEY.publicKey().fingerprint());
        ByteArrayOutputStream kernel = new ByteArrayOutputStream();
        bundle.copyPart(Manifest.KERNEL, Channels.newChannel(kernel), Progress.none());
        assertThat(kernel.toByteArray()).isEqualTo(TestBundles.bytes(8, 40));
    }

    @Test
    void verify_unsigned_isRefusedAsUnsigned() throws Exception {
        Path b = TestBundles.bundle(tmp, "unsigned.bundle", TestBundles.spec("0.2.0"), Optional.empty(), 7, 30, 4, 5);
        assertThatThrownBy(() -> Bundle.verify(b, KEY.publicKey(), Progress.none()))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.failure())
                        .isEqualTo(BundleException.Failure.UNSIGNED))
                .hasMessageContaining("unsigned");
    }

    @Test
    void verify_otherKey_isRefusedNamingBothKeys() throws Exception {
        Path b = small("other.bundle");
        assertThatThrownBy(() -> Bundle.verify(b, OTHER.publicKey(), Progress.none()))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.failure())
                        .isEqualTo(BundleException.Failure.WRONG_KEY))
                .hasMessageContaining(KEY.publicKey().fingerprint())
                .hasMessageContaining(OTHER.publicKey().fingerprint());
    }

    @Test
    void verify_signatureByOtherKeyWithOurFingerprint_isRefusedAsBadSignature() throws Exception {
        // A forger who copies our fingerprint into the manifest still cannot make our signature.
        Path b = small("forged.bundle");
        byte[] bytes = Files.readAllBytes(b);
        int manifestLength = java.nio.ByteBuffer.wrap(bytes, 12, 4).getInt();
        byte[] signed = java.util.Arrays.copyOf(bytes, BundleFormat.HEADER + manifestLength);
        System.arraycopy(OTHER.sign(signed), 0, bytes, signed.length, BundleFormat.ED25519_SIGNATURE);
        Files.write(b, bytes);
        assertThat(failure(b)).isEqualTo(BundleException.Failure.BAD_SIGNATURE);
    }

    @Test
    void verify_changedPartByte_namesThePart() throws Exception {
        Path b = small("tampered.bundle");
        byte[] bytes = Files.readAllBytes(b);
        bytes[bytes.length - 1] ^= 1; // the last byte belongs to the last part, rootfs
        Files.write(b, bytes);
        assertThatThrownBy(() -> Bundle.verify(b, KEY.publicKey(), Progress.none()))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.failure())
                        .isEqualTo(BundleException.Failure.PART_MISMATCH))
                .hasMessageContaining("part 'rootfs' has SHA-256");
    }

    @Test
    void verify_truncatedOrExtended_isRefused() throws Exception {
        Path b = small("cut.bundle");
        byte[] bytes = Files.readAllBytes(b);
        for (int len : new int[] {0, 5, 16, 200, bytes.length - 1}) {
            Files.write(b, java.util.Arrays.copyOf(bytes, len));
            assertThat(failure(b)).as("cut to %d bytes", len).isNotNull();
        }
        Files.write(b, java.util.Arrays.copyOf(bytes, bytes.length + 1));
        assertThat(failure(b)).isEqualTo(BundleException.Failure.PART_MISMATCH);
    }

    @Test
    void verify_notABundle_saysSo() throws Exception {
        Path b = Files.writeString(tmp.resolve("README"), "this is text, not a bundle at all");
        assertThatThrownBy(() -> Bundle.verify(b, KEY.publicKey(), Progress.none()))
                .hasMessage(b + ": not a Portcullis update bundle (no PCULBNDL magic at the start)");
    }

    @Test
    void verify_everyBytePosition_flippedAnyWay_isRefused() throws Exception {
        // The invariant the format exists for: one changed byte anywhere in the file is refused.
        Path original = small("every.bundle");
        byte[] bytes = Files.readAllBytes(original);
        Path b = tmp.resolve("mutant.bundle");
        for (int pos = 0; pos < bytes.length; pos++) {
            for (int mask : new int[] {0x01, 0x80, 0xff}) {
                byte[] copy = bytes.clone();
                copy[pos] ^= (byte) mask;
                Files.write(b, copy);
                assertThat(failure(b)).as("byte %d xor 0x%02x", pos, mask).isNotNull();
            }
        }
    }

    private BundleException.Failure failure(Path b) throws IOException {
        Throwable t = catchThrowable(() -> Bundle.verify(b, KEY.publicKey(), Progress.none()));
        if (t == null) {
            return null;
        }
        if (t instanceof BundleException e) {
            return e.failure();
        }
        throw new AssertionError("expected a BundleException, got " + t, t);
    }

    /** The same invariant as a property: any position, any non-zero change of that byte. */
    static final class AnyChangedByte {

        private static Path dir;
        private static byte[] bytes;

        @BeforeContainer
        static void makeBundle() throws IOException {
            dir = Files.createTempDirectory("bundle-property");
            bytes = Files.readAllBytes(TestBundles.bundle(dir, "p.bundle", TestBundles.spec("1.0.0"),
                    Optional.of(KEY), 3, 200, 20, 30));
        }

        @AfterContainer
        static void removeBundle() throws IOException {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }

        @Property(tries = 2000)
        void verify_oneChangedByte_isRefusedWithABundleException(@ForAll @IntRange(min = 0, max = 100_000) int at,
                                                                @ForAll @IntRange(min = 1, max = 255) int xor)
                throws IOException {
            byte[] copy = bytes.clone();
            int pos = at % copy.length;
            copy[pos] ^= (byte) xor;
            Path b = Files.write(dir.resolve("mutant-" + Thread.currentThread().threadId()), copy);
            Throwable t = catchThrowable(() -> Bundle.verify(b, KEY.publicKey(), Progress.none()));
            assertThat(t).as("byte %d xor 0x%02x", pos, xor).isInstanceOf(BundleException.class);
        }
    }
}
