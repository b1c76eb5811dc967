package dev.portcullis.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes update bundles ({@link BundleFormat}): hashes each part, writes the manifest and its signature, then the
 * parts. The file appears under its name only when complete (written beside it, then renamed).
 */
public final class BundleWriter {

    private BundleWriter() {
    }

    /**
     * Writes a bundle of {@code parts} (name to file) to {@code out}, signed with {@code key}, or unsigned when it is
     * empty (such a bundle is refused by every verification; it exists for inspection only). Returns the manifest.
     */
    public static Manifest write(Path out, BundleSpec spec, Map<String, Path> parts, Optional<SigningKey> key,
                                 Progress progress) throws IOException {
        Map<String, Path> sorted = new TreeMap<>(parts);
        List<Manifest.Part> described = new ArrayList<>();
        for (Map.Entry<String, Path> e : sorted.entrySet()) {
            long size = Files.size(e.getValue());
            progress.begin("hash " + e.getKey(), size);
            described.add(new Manifest.Part(e.getKey(), size, Sha256.of(e.getValue(), progress)));
            progress.end();
        }
        Manifest manifest = new Manifest(spec.version(), spec.source(), spec.buildTime(), spec.target(),
                key.map(k -> k.publicKey().fingerprint()).orElse("none"), described);
        int algorithm = key.isPresent() ? BundleFormat.ALG_ED25519 : BundleFormat.ALG_NONE;
        byte[] signed = BundleFormat.signedBytes(algorithm, ManifestFormat.write(manifest));
        byte[] signature = key.map(k -> k.sign(signed)).orElse(new byte[0]);

        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(signed));
            writeFully(ch, ByteBuffer.wrap(signature));
            progress.begin("write bundle", manifest.payloadSize());
            for (Manifest.Part p : manifest.parts()) {
                try (FileChannel in = FileChannel.open(sorted.get(p.name()), StandardOpenOption.READ)) {
                    String again = Sha256.range(in, 0, p.size(), ch, progress);
                    if (!again.equals(p.sha256())) {
                        throw new IOException(sorted.get(p.name()) + " changed while the bundle was written");
                    }
                }
            }
            progress.end();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return manifest;
    }

    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
