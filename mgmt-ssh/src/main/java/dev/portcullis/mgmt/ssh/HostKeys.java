package dev.portcullis.mgmt.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's host keys: an Ed25519 key, and an RSA key (3072 bits) for old clients, in OpenSSH's private key
 * format in the host key directory ({@code ssh_host_ed25519_key}, {@code ssh_host_rsa_key}, each with its
 * {@code .pub}). Made on first start, kept afterwards; the private files are created with mode 0600 (the directory
 * 0700) before any key byte is written, then moved into place, so a crash leaves either no key or a whole one.
 * Fingerprints are logged at each start so an operator can compare them with what a client shows.
 */
public final class HostKeys {

    private static final Logger LOG = LoggerFactory.getLogger(HostKeys.class);

    /** The key files and how each is made (Mina's key type names). */
    enum Kind {
        ED25519("ssh_host_ed25519_key", "ssh-ed25519", 256),
        RSA("ssh_host_rsa_key", "ssh-rsa", 3072);

        final String file;
        final String type;
        final int bits;

        Kind(String file, String type, int bits) {
            this.file = file;
            this.type = type;
            this.bits = bits;
        }
    }

    private HostKeys() {
    }

    /**
     * Loads the host keys from {@code directory}, making those that are missing.
     *
     * @throws IOException when a key cannot be read or written (an unreadable key is never replaced: the message
     *                     says which file to check)
     */
    public static List<KeyPair> loadOrCreate(Path directory) throws IOException {
        Files.createDirectories(directory);
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            LOG.warn("loadOrCreate: {} cannot have POSIX permissions; protect it another way", directory);
        }
        List<KeyPair> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            Path file = directory.resolve(k.file);
            KeyPair pair = Files.exists(file) ? load(file) : create(file, k);
            LOG.info("loadOrCreate: host key {} {} ({})", KeyUtils.getKeyType(pair.getPublic()),
                    KeyUtils.getFingerPrint(pair.getPublic()), file);
            out.add(pair);
        }
        return out;
    }

    private static KeyPair load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()),
                    in, null);
            Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
            if (it == null || !it.hasNext()) {
                throw new IOException(file + ": holds no key; move it away to have a new one made");
            }
            return it.next();
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a readable private key (" + e.getMessage()
                    + "); move it away to have a new one made", e);
        }
    }

    private static KeyPair create(Path file, Kind kind) throws IOException {
        KeyPair pair;
        try {
            pair = KeyUtils.generateKeyPair(kind.type, kind.bits);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a " + kind.type + " host key: " + e.getMessage(), e);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "portcullis host key", null, out);
        } catch (GeneralSecurityException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write the " + kind.type + " host key: " + e.getMessage(), e);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"),
                PublicKeyEntry.toString(pair.getPublic()) + " portcullis host key\n", StandardCharsets.US_ASCII);
        LOG.info("create: made a new {} host key in {}", kind.type, file);
        return pair;
    }
}
