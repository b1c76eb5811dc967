package dev.portcullis.mgmt.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostKeysTest {

    @TempDir
    Path dir;

    @Test
    void loadOrCreate_firstStart_makesEd25519AndRsaPrivateToTheOwner() throws Exception {
        Path keys = dir.resolve("ssh");
        List<KeyPair> made = HostKeys.loadOrCreate(keys);
        assertThat(made).extracting(p -> KeyUtils.getKeyType(p.getPublic())).containsExactly("ssh-ed25519",
                "ssh-rsa");
        for (String f : List.of("ssh_host_ed25519_key", "ssh_host_rsa_key")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(f))))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(keys.resolve(f))).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
            assertThat(Files.readString(keys.resolve(f + ".pub"))).startsWith(f.contains("rsa") ? "ssh-rsa "
                    : "ssh-ed25519 ");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
    }

    @Test
    void loadOrCreate_secondStart_keepsTheSameKeys() throws Exception {
        Path keys = dir.resolve("ssh");
        List<KeyPair> first = HostKeys.loadOrCreate(keys);
        List<KeyPair> second = HostKeys.loadOrCreate(keys);
        for (int i = 0; i < 2; i++) {
            assertThat(KeyUtils.getFingerPrint(second.get(i).getPublic()))
                    .isEqualTo(KeyUtils.getFingerPrint(first.get(i).getPublic()));
        }
    }

    @Test
    void loadOrCreate_brokenKeyFile_refusedNotReplaced() throws Exception {
        Path keys = dir.resolve("ssh");
        Files.createDirectories(keys);
        Files.writeString(keys.resolve("ssh_host_ed25519_key"), "garbage");
        assertThatThrownBy(() -> HostKeys.loadOrCreate(keys)).isInstanceOf(IOException.class)
                .hasMessageContaining("ssh_host_ed25519_key").hasMessageContaining("move it away");
        assertThat(Files.readString(keys.resolve("ssh_host_ed25519_key"))).isEqualTo("garbage");
    }
}
