package dev.portcullis.image;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The Ed25519 public key that update bundles are verified against: built into the image at
 * {@code /usr/share/portcullis/image-signing.pub} as SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----},
 * what {@code openssl pkey -pubout} writes). Immutable; safe to share between threads.
 */
public final class VerifyingKey {

    static final String PEM_TYPE = "PUBLIC KEY";

    private final Ed25519PublicKeyParameters key;

    VerifyingKey(Ed25519PublicKeyParameters key) {
        this.key = key;
    }

    public static VerifyingKey read(Path file) throws IOException, KeyFileException {
        byte[] content = PemFiles.read(file, PEM_TYPE);
        AsymmetricKeyParameter p;
        try {
            p = PublicKeyFactory.createKey(SubjectPublicKeyInfo.getInstance(content));
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file + ": not a SubjectPublicKeyInfo public key: " + e.getMessage());
        }
        if (!(p instanceof Ed25519PublicKeyParameters ed)) {
            throw new KeyFileException(file + ": the key is " + p.getClass().getSimpleName()
                    .replace("PublicKeyParameters", "") + ", not Ed25519");
        }
        return new VerifyingKey(ed);
    }

    public String pem() {
        StringWriter s = new StringWriter();
        try (PemWriter w = new PemWriter(s)) {
            w.writeObject(new PemObject(PEM_TYPE,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException("encoding a public key in memory failed", e);
        }
        return s.toString();
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, pem(), StandardCharsets.US_ASCII);
    }

    /** {@code sha256:} and the SHA-256 of the 32 raw key bytes, in hex: names the key in manifests and errors. */
    public String fingerprint() {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** True when {@code signature} is this key's Ed25519 signature of {@code data}. */
    public boolean verify(byte[] data, byte[] signature) {
        Ed25519Signer v = new Ed25519Signer();
        v.init(false, key);
        v.update(data, 0, data.length);
        return v.verifySignature(signature);
    }
}
