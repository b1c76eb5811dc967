package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysTest {

    @TempDir
    Path tmp;

    @Test
    void write_thenRead_signsAndVerifiesTheSame() throws Exception {
        SigningKey key = TestBundles.key(1);
        Path priv = tmp.resolve("image.key");
        Path pub = tmp.resolve("image.pub");
        key.write(priv);
        key.publicKey().write(pub);
        byte[] data = "the signed bytes".getBytes(StandardCharsets.UTF_8);
        byte[] sig = SigningKey.read(priv).sign(data);
        assertThat(VerifyingKey.read(pub).verify(data, sig)).isTrue();
        assertThat(VerifyingKey.read(pub).verify("other bytes".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        assertThat(VerifyingKey.read(pub).fingerprint()).isEqualTo(key.publicKey().fingerprint()).startsWith("sha256:");
    }

    @Test
    void write_privateKey_isReadableByItsOwnerOnly() throws IOException {
        Path priv = tmp.resolve("image.key");
        TestBundles.key(2).write(priv);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        assertThat(Files.readString(priv)).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void write_existingFile_isRefusedAndKept() throws IOException {
        Path priv = Files.writeString(tmp.resolve("image.key"), "precious");
        assertThatThrownBy(() -> TestBundles.key(3).write(priv)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(priv)).isEqualTo("precious");
    }

    @Test
    void read_notPem_namesTheFile() throws IOException {
        Path f = Files.writeString(tmp.resolve("junk.pub"), "hello\n");
        assertThatThrownBy(() -> VerifyingKey.read(f)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("PUBLIC KEY");
    }

    @Test
    void read_publicKeyAsPrivate_saysWhatWasFound() throws IOException {
        Path pub = tmp.resolve("image.pub");
        TestBundles.key(4).publicKey().write(pub);
        assertThatThrownBy(() -> SigningKey.read(pub)).isInstanceOf(KeyFileException.class)
                .hasMessage(pub + ": expected a '-----BEGIN PRIVATE KEY-----' block, found 'PUBLIC KEY'");
    }

    // Interoperability with OpenSSL: the files are the standard PKCS#8 and SubjectPublicKeyInfo forms.

    @Test
    void read_opensslEd25519Key_derivesTheSamePublicKeyAsOpenssl() throws Exception {
        Path priv = tmp.resolve("openssl.key");
        openssl("genpkey", "-algorithm", "ed25519", "-out", priv.toString());
        Path pub = tmp.resolve("openssl.pub");
        openssl("pkey", "-in", priv.toString(), "-pubout", "-out", pub.toString());
        assertThat(SigningKey.read(priv).publicKey().pem()).isEqualTo(Files.readString(pub));
    }

    @Test
    void read_opensslRsaKey_isRefusedAsNotEd25519() throws Exception {
        Path priv = tmp.resolve("rsa.key");
        openssl("genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:1024", "-out", priv.toString());
        assertThatThrownBy(() -> SigningKey.read(priv)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("not Ed25519");
    }

    @Test
    void sign_verifiedByOpenssl() throws Exception {
        SigningKey key = TestBundles.key(5);
        Path pub = tmp.resolve("k.pub");
        key.publicKey().write(pub);
        Path data = Files.writeString(tmp.resolve("data"), "manifest bytes");
        Path sig = Files.write(tmp.resolve("data.sig"), key.sign(Files.readAllBytes(data)));
        openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in", data.toString(),
                "-sigfile", sig.toString());
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Exec.onPath("openssl"), "openssl is not installed");
        Exec.check(java.util.List.of(prepend("openssl", args)));
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
