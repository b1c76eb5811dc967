package dev.portcullis.mgmt.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.ApplianceConfig.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The software commands: who may run them, how the uploaded file is found, and what the console tells. */
class SystemSoftwareCommandsTest {

    @TempDir
    Path dir;

    private ConsoleFixture fixture;
    private final List<String> calls = new ArrayList<>();
    private String failAdd;

    /** Records what the console asked; its answers are fixed, or a refusal when {@code failAdd} is set. */
    private final SystemSoftware fake = new SystemSoftware() {
        @Override
        public String show() {
            calls.add("show");
            return "slot  version  state\nA     1.0      running, good\n";
        }

        @Override
        public String add(Path bundle, boolean force) throws SoftwareException {
            calls.add("add " + bundle + (force ? " force" : ""));
            if (failAdd != null) {
                throw new SoftwareException(failAdd);
            }
            return "version 1.1 installed to slot B";
        }

        @Override
        public String reboot() {
            calls.add("reboot");
            return "rebooting";
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        fixture = ConsoleFixture.start(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ConsoleSession session(Role role) {
        return fixture.console.session(role.word(), role, "192.0.2.7");
    }

    @Test
    void software_notAnImage_saysWhy() {
        ConsoleSession.Result r = session(Role.ADMIN).execute("show system software");
        assertThat(r.status()).isNotZero();
        assertThat(r.err()).contains("not available here", "not installed from a Portcullis image");
    }

    @Test
    void software_roles_auditorShowsAdminInstallsAndReboots() throws Exception {
        fixture.console.withSoftware(Optional.of(fake));
        Path area = fixture.console.uploadArea("admin");
        Files.createDirectories(area);
        Files.writeString(area.resolve("new.bundle"), "bundle bytes");

        ConsoleSession.Result show = session(Role.AUDITOR).execute("show system software");
        assertThat(show.status()).isZero();
        assertThat(show.out()).contains("A     1.0      running, good");
        assertThat(session(Role.AUDITOR).execute("request system software add new.bundle").status())
                .isEqualTo(ConsoleSession.REFUSED);
        assertThat(session(Role.OPERATOR).execute("request system reboot").status())
                .isEqualTo(ConsoleSession.REFUSED);
        assertThat(calls).containsExactly("show");

        ConsoleSession.Result add = session(Role.ADMIN).execute("request system software add new.bundle");
        assertThat(add.status()).as(add.err()).isZero();
        assertThat(add.out()).contains("installed to slot B");
        ConsoleSession.Result forced = session(Role.ADMIN).execute("request system software add new.bundle force");
        assertThat(forced.status()).as(forced.err()).isZero();
        assertThat(session(Role.ADMIN).execute("request system reboot").out()).contains("rebooting");
        Path resolved = area.toAbsolutePath().normalize().resolve("new.bundle");
        assertThat(calls).containsExactly("show", "add " + resolved, "add " + resolved + " force", "reboot");
    }

    @Test
    void softwareAdd_refusedOrMissing_saysWhyAndInstallsNothing() throws Exception {
        fixture.console.withSoftware(Optional.of(fake));
        ConsoleSession.Result missing = session(Role.ADMIN).execute("request system software add nothing.bundle");
        assertThat(missing.status()).isNotZero();
        assertThat(missing.err()).contains("no file 'nothing.bundle' in your upload area");
        ConsoleSession.Result outside = session(Role.ADMIN).execute("request system software add ../x.bundle");
        assertThat(outside.status()).isNotZero();
        assertThat(outside.err()).contains("outside your upload area");
        assertThat(calls).isEmpty();

        Path area = fixture.console.uploadArea("admin");
        Files.createDirectories(area);
        Files.writeString(area.resolve("bad.bundle"), "tampered");
        failAdd = "signature check failed: the bundle was not signed by the trusted key";
        ConsoleSession.Result refused = session(Role.ADMIN).execute("request system software add bad.bundle");
        assertThat(refused.status()).isNotZero();
        assertThat(refused.err()).contains("software add bad.bundle refused: signature check failed");
    }
}
