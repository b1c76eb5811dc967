package dev.portcullis.mgmt.console;

import dev.portcullis.policy.ApplianceConfig.Role;
import java.util.EnumSet;
import java.util.Set;

/** What a command needs: each role holds some privileges (admin all, operator show/test/clear, auditor show). */
public enum Privilege {
    /** Reading state: show, help, exit. */
    SHOW(EnumSet.allOf(Role.class)),
    /** Trying flows against the policy. */
    TEST(EnumSet.of(Role.ADMIN, Role.OPERATOR)),
    /** Clearing counters and connections. */
    CLEAR(EnumSet.of(Role.ADMIN, Role.OPERATOR)),
    /** Configuration mode and everything in it. */
    CONFIGURE(EnumSet.of(Role.ADMIN));

    private final Set<Role> roles;

    Privilege(Set<Role> roles) {
        this.roles = roles;
    }

    public boolean allows(Role role) {
        return roles.contains(role);
    }

    /** The roles holding this privilege, as words: "admin or operator". */
    public String rolesText() {
        return String.join(" or ", roles.stream().map(Role::word).toList());
    }
}
