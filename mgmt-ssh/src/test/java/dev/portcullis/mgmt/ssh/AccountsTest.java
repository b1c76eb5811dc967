package dev.portcullis.mgmt.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.ApplianceConfig.Role;
import dev.portcullis.policy.Location;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {

    @TempDir
    Path dir;

    @Test
    void of_keyOfAnotherUser_notHeld() throws Exception {
        String alice = UserKeys.createEd25519(dir.resolve("alice"), "alice");
        String bob = UserKeys.createEd25519(dir.resolve("bob"), "bob");
        Accounts a = Accounts.of(List.of(new ApplianceConfig.User("alice", Role.OPERATOR, List.of(alice),
                Optional.empty(), new Location("appliance.yaml", 3, 5))));
        Accounts b = Accounts.of(List.of(new ApplianceConfig.User("bob", Role.ADMIN, List.of(bob),
                Optional.empty(), new Location("appliance.yaml", 4, 5))));
        var bobKey = b.get("bob").orElseThrow().keys().getFirst();
        assertThat(a.get("alice").orElseThrow().holds(bobKey)).isFalse();
        assertThat(b.get("bob").orElseThrow().holds(bobKey)).isTrue();
        assertThat(a.get("alice").orElseThrow().role()).isEqualTo(Role.OPERATOR);
        assertThat(a.get("bob")).isEmpty();
    }

    @Test
    void of_undecodableKey_namesTheUserAndPlace() {
        // Well-formed for the reader (type word, base64 holding that type), but no key data follows.
        String cut = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 cut@short";
        assertThatThrownBy(() -> Accounts.of(List.of(new ApplianceConfig.User("carol", Role.AUDITOR, List.of(cut),
                Optional.empty(), new Location("appliance.yaml", 7, 5)))))
                .isInstanceOf(SshConsoleException.class)
                .hasMessageStartingWith("appliance.yaml:7:5: user carol, key 1: cannot be used: ");
    }
}
