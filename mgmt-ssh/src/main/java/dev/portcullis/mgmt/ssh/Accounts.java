package dev.portcullis.mgmt.ssh;

import dev.portcullis.policy.PasswordHash;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.ApplianceConfig.Role;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * The console's users with their keys decoded and password hashes read, from {@code appliance.yaml}'s
 * {@code users}. Immutable and thread-safe.
 */
public final class Accounts {

    /** One user ready for authentication. */
    public record Account(String name, Role role, List<PublicKey> keys, Optional<PasswordHash> password) {
        public Account {
            keys = List.copyOf(keys);
        }

        /** Whether {@code key} is one of this user's. */
        public boolean holds(PublicKey key) {
            return keys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
        }
    }

    private final Map<String, Account> byName;

    private Accounts(Map<String, Account> byName) {
        this.byName = Map.copyOf(byName);
    }

    /**
     * Decodes every user's keys and password hash.
     *
     * @throws SshConsoleException naming the user, where it is declared, and the key that cannot be used
     */
    public static Accounts of(List<ApplianceConfig.User> users) throws SshConsoleException {
        Map<String, Account> out = new LinkedHashMap<>();
        for (ApplianceConfig.User u : users) {
            List<PublicKey> keys = new ArrayList<>();
            for (int i = 0; i < u.keys().size(); i++) {
                try {
                    keys.add(AuthorizedKeyEntry.parseAuthorizedKeyEntry(u.keys().get(i))
                            .resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
                } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                    throw new SshConsoleException(u.location() + ": user " + u.name() + ", key " + (i + 1)
                            + ": cannot be used: " + e.getMessage());
                }
            }
            Optional<PasswordHash> password;
            try {
                password = u.passwordHash().map(PasswordHash::parse);
            } catch (IllegalArgumentException e) {
                throw new SshConsoleException(u.location() + ": user " + u.name() + ": password " + e.getMessage());
            }
            out.put(u.name(), new Account(u.name(), u.role(), keys, password));
        }
        return new Accounts(out);
    }

    public Optional<Account> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public int size() {
        return byName.size();
    }
}
