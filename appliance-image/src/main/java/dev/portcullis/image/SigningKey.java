package dev.portcullis.image;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * An Ed25519 private key that signs update bundles (Bouncy Castle's lightweight API). Stored as PKCS#8 PEM
 * ({@code -----BEGIN PRIVATE KEY-----}), the form {@code openssl genpkey -algorithm ed25519} writes, readable only
 * by its owner. The key lives outside the repository: {@code portcullis-image keygen} refuses a path inside a git
 * work tree.
 */
public final class SigningKey {

    static final String PEM_TYPE = "PRIVATE KEY";

    private final Ed25519PrivateKeyParameters key;

    private SigningKey(Ed25519PrivateKeyParameters key) {
        this.key = key;
    }

    public static SigningKey generate(SecureRandom random) {
        return new SigningKey(new Ed25519PrivateKeyParameters(random));
    }

    /** Reads a PKCS#8 PEM Ed25519 private key; the message of the {@link KeyFileException} names the file. */
    public static SigningKey read(Path file) throws IOException, KeyFileException {
        byte[] content = PemFiles.read(file, PEM_TYPE);
        AsymmetricKeyParameter p;
        try {
            p = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(content));
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file + ": not a PKCS#8 private key: " + e.getMessage());
        }
        if (!(p instanceof Ed25519PrivateKeyParameters ed)) {
            throw new KeyFileException(file + ": the key is " + p.getClass().getSimpleName()
                    .replace("PrivateKeyParameters", "") + ", not Ed25519");
        }
        return new SigningKey(ed);
    }

    /**
     * Writes the key as PEM to a new file readable and writable only by its owner; refuses to replace a file.
     */
    public void write(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "a key file is never overwritten");
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pem(), StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
    }

    String pem() throws IOException {
        StringWriter s = new StringWriter();
        try (PemWriter w = new PemWriter(s)) {
            w.writeObject(new PemObject(PEM_TYPE, PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded()));
        }
        return s.toString();
    }

    public VerifyingKey publicKey() {
        return new VerifyingKey(key.generatePublicKey());
    }

    /** The 64-byte Ed25519 signature of {@code data}. */
    public byte[] sign(byte[] data) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(data, 0, data.length);
        return signer.generateSignature();
    }
}
