package dev.portcullis.mgmt.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/** Makes a key pair for a console user, as {@code ssh-keygen -t ed25519} would: for the demo's user. */
public final class UserKeys {

    private UserKeys() {
    }

    /**
     * Writes a new Ed25519 private key to {@code file} (mode 0600, OpenSSH format, no passphrase) and its public
     * key to {@code file.pub}; returns the public key line for appliance.yaml.
     */
    public static String createEd25519(Path file, String comment) throws IOException {
        KeyPair pair;
        try {
            pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make an Ed25519 key: " + e.getMessage(), e);
        }
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the key " + file + ": " + e.getMessage(), e);
        }
        String line = PublicKeyEntry.toString(pair.getPublic()) + " " + comment;
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"), line + "\n");
        return line;
    }
}
