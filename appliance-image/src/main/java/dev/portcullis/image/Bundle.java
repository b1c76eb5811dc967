package dev.portcullis.image;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A verified update bundle. {@link #verify} checks, in order: the header, the manifest, that the bundle is signed,
 * by the trusted key, that the signature verifies, that the file is exactly as long as the manifest says, and the
 * SHA-256 of every part; the first failure is a {@link BundleException} naming the check. Reading a part again
 * ({@link #copyPart}) re-checks its SHA-256, so a file changed after verification is still caught.
 *
 * <p>Immutable; the file is opened anew for each read.
 */
public final class Bundle {

    private final Path file;
    private final Manifest manifest;
    private final Map<String, Long> offsets;

    private Bundle(Path file, Manifest manifest, Map<String, Long> offsets) {
        this.file = file;
        this.manifest = manifest;
        this.offsets = offsets;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path file() {
        return file;
    }

    /** Verifies {@code file} against {@code trusted}, reading every byte once; see the class comment. */
    public static Bundle verify(Path file, VerifyingKey trusted, Progress progress)
            throws BundleException, IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer header = ByteBuffer.allocate(BundleFormat.HEADER);
            readFully(file, ch, header, 0);
            header.flip();
            byte[] magic = new byte[BundleFormat.MAGIC.length];
            header.get(magic);
            if (!Arrays.equals(magic, BundleFormat.MAGIC)) {
                throw new BundleException(file, BundleException.Failure.NOT_A_BUNDLE,
                        "not a Portcullis update bundle (no PCULBNDL magic at the start)");
            }
            int format = Short.toUnsignedInt(header.getShort());
            if (format != BundleFormat.FORMAT) {
                throw new BundleException(file, BundleException.Failure.NOT_A_BUNDLE, "bundle format " + format
                        + " is not known to this software (it reads format " + BundleFormat.FORMAT + ")");
            }
            int algorithm = Short.toUnsignedInt(header.getShort());
            if (algorithm == BundleFormat.ALG_NONE) {
                throw new BundleException(file, BundleException.Failure.UNSIGNED,
                        "the bundle is unsigned; only bundles signed with the image's key are installed");
            }
            if (algorithm != BundleFormat.ALG_ED25519) {
                throw new BundleException(file, BundleException.Failure.MALFORMED, "signature algorithm "
                        + algorithm + " is not known (1 is Ed25519)");
            }
            long manifestLength = Integer.toUnsignedLong(header.getInt());
            if (manifestLength > ManifestFormat.MAX_BYTES
                    || BundleFormat.HEADER + manifestLength + BundleFormat.ED25519_SIGNATURE > fileSize) {
                throw new BundleException(file, BundleException.Failure.MALFORMED, "manifest length "
                        + manifestLength + " does not fit the " + fileSize + "-byte file (or exceeds "
                        + ManifestFormat.MAX_BYTES + ")");
            }
            ByteBuffer mb = ByteBuffer.allocate((int) manifestLength);
            readFully(file, ch, mb, BundleFormat.HEADER);
            byte[] manifestBytes = mb.array();
            Manifest manifest;
            try {
                manifest = ManifestFormat.parse(manifestBytes);
            } catch (IllegalArgumentException e) {
                throw new BundleException(file, BundleException.Failure.MALFORMED, e.getMessage());
            }
            if (manifest.signingKey().equals("none")) {
                throw new BundleException(file, BundleException.Failure.UNSIGNED,
                        "the manifest names no signing key; the bundle is not signed");
            }
            if (!manifest.signingKey().equals(trusted.fingerprint())) {
                throw new BundleException(file, BundleException.Failure.WRONG_KEY, "signed with key "
                        + manifest.signingKey() + ", but this system trusts only " + trusted.fingerprint());
            }
            ByteBuffer sig = ByteBuffer.allocate(BundleFormat.ED25519_SIGNATURE);
            readFully(file, ch, sig, BundleFormat.HEADER + manifestLength);
            if (!trusted.verify(BundleFormat.signedBytes(algorithm, manifestBytes), sig.array())) {
                throw new BundleException(file, BundleException.Failure.BAD_SIGNATURE, "the Ed25519 signature "
                        + "does not verify with key " + trusted.fingerprint()
                        + ": the header or manifest was changed after signing");
            }
            long offset = BundleFormat.HEADER + manifestLength + BundleFormat.ED25519_SIGNATURE;
            long expected = offset + manifest.payloadSize();
            if (expected != fileSize) {
                throw new BundleException(file, BundleException.Failure.PART_MISMATCH, "the file is " + fileSize
                        + " bytes but the signed manifest describes " + expected + " bytes");
            }
            Map<String, Long> offsets = new HashMap<>();
            progress.begin("verify " + file.getFileName(), manifest.payloadSize());
            for (Manifest.Part p : manifest.parts()) {
                String actual = Sha256.range(ch, offset, p.size(), null, progress);
                if (!actual.equals(p.sha256())) {
                    throw new BundleException(file, BundleException.Failure.PART_MISMATCH, "part '" + p.name()
                            + "' has SHA-256 " + actual + " but the signed manifest says " + p.sha256());
                }
                offsets.put(p.name(), offset);
                offset += p.size();
            }
            progress.end();
            return new Bundle(file, manifest, Map.copyOf(offsets));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such bundle");
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer b, long position)
            throws IOException, BundleException {
        long p = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                throw new BundleException(file, BundleException.Failure.NOT_A_BUNDLE, "the file ends at byte " + p
                        + ", inside the bundle header");
            }
            p += n;
        }
    }

    /**
     * Copies part {@code name} to {@code out}, checking its SHA-256 again; a mismatch (the file changed since
     * {@link #verify}) is a {@link BundleException} after the bytes were written, so the caller must not use them.
     */
    public void copyPart(String name, WritableByteChannel out, Progress progress) throws IOException, BundleException {
        Manifest.Part p = manifest.part(name).orElseThrow(() -> new IllegalArgumentException(
                file + ": the bundle has no part '" + name + "'"));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            String actual;
            try {
                actual = Sha256.range(ch, offsets.get(name), p.size(), out, progress);
            } catch (EOFException e) {
                throw new BundleException(file, BundleException.Failure.PART_MISMATCH, "part '" + name
                        + "' is cut short: the file shrank after it was verified");
            }
            if (!actual.equals(p.sha256())) {
                throw new BundleException(file, BundleException.Failure.PART_MISMATCH, "part '" + name
                        + "' changed after verification: SHA-256 " + actual + ", signed " + p.sha256());
            }
        }
    }
}
