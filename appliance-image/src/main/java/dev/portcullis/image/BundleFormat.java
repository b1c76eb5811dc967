package dev.portcullis.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The layout of an update bundle file: a 16-byte header, the manifest, the signature, then the parts back to back
 * in manifest order. The signature covers the header and the manifest; the manifest holds the size and SHA-256 of
 * every part, so one signature covers every byte. The file ends exactly after the last part.
 *
 * <pre>
 * offset        size  field
 * 0             8     magic "PCULBNDL"
 * 8             2     format version, 1 (big-endian)
 * 10            2     signature algorithm: 0 none (unsigned), 1 Ed25519
 * 12            4     manifest length M (big-endian, at most 64 KiB)
 * 16            M     manifest ({@link ManifestFormat})
 * 16+M          S     signature over bytes [0, 16+M): S = 64 for Ed25519, 0 for none
 * 16+M+S        ...   the parts, in manifest order
 * </pre>
 */
final class BundleFormat {

    static final byte[] MAGIC = "PCULBNDL".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT = 1;
    static final int ALG_NONE = 0;
    static final int ALG_ED25519 = 1;
    static final int HEADER = 16;
    static final int ED25519_SIGNATURE = 64;

    private BundleFormat() {
    }

    /** The header and manifest: the signed bytes. */
    static byte[] signedBytes(int algorithm, byte[] manifest) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + manifest.length);
        b.put(MAGIC).putShort((short) FORMAT).putShort((short) algorithm).putInt(manifest.length).put(manifest);
        return b.array();
    }
}
