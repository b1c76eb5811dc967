package dev.portcullis.mgmt.ssh;

import dev.portcullis.policy.PasswordHash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.mgmt.console.ConsoleFixture;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.ApplianceConfig.Role;
import dev.portcullis.policy.Location;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password login, lockout and session limits, with Mina's SSH client and the OpenSSH client. Each test has a
 * server of its own, since a lockout of 127.0.0.1 would shut out every other test.
 */
class LoginLimitsTest {

    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dir;

    ConsoleFixture fixture;
    SshConsoleServer server;
    SshClient client;

    @BeforeEach
    void start() throws Exception {
        fixture = ConsoleFixture.start(dir);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        if (server != null) {
            server.close();
        }
        fixture.close();
    }

    private void serve(boolean passwords, int perUser, ApplianceConfig.Lockout lockout, String key)
            throws Exception {
        serve(passwords, 16, perUser, Duration.ofMinutes(5), lockout, key);
    }

    private void serve(boolean passwords, int sessions, int perUser, Duration idle, ApplianceConfig.Lockout lockout,
                       String key) throws Exception {
        ApplianceConfig.Ssh settings = new ApplianceConfig.Ssh(0, dir.resolve("hostkeys"), dir.resolve("uploads"),
                passwords, idle, sessions, perUser, lockout, 1 << 20, 3);
        ApplianceConfig.User admin = new ApplianceConfig.User("admin", Role.ADMIN,
                key == null ? List.of() : List.of(key), Optional.of(PasswordHash.hash(PASSWORD.toCharArray())),
                new Location("appliance.yaml", 1, 1));
        server = SshConsoleServer.start(settings, 0, "127.0.0.1", List.of(admin), fixture.console, fixture.audit);
    }

    private ClientSession session(String user) throws Exception {
        return client.connect(user, "127.0.0.1", server.port()).verify(Duration.ofSeconds(10)).getSession();
    }

    private static String exec(ClientSession s, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        s.executeRemoteCommand(command, out, err, StandardCharsets.UTF_8);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void password_enabledAndRight_loggedIn() throws Exception {
        serve(true, 4, ApplianceConfig.Lockout.DEFAULT, null);
        try (ClientSession s = session("admin")) {
            s.addPasswordIdentity(PASSWORD);
            s.auth().verify(Duration.ofSeconds(30));
            assertThat(exec(s, "show version")).contains("version: 9.9-test");
        }
        assertThat(fixture.audit.tail(10)).anySatisfy(l -> assertThat(l).contains("\"event\":\"login\"",
                "\"command\":\"password\"", "\"result\":\"ok\""));
    }

    @Test
    void password_disabled_refusedEvenWhenRight() throws Exception {
        serve(false, 4, ApplianceConfig.Lockout.DEFAULT, null);
        try (ClientSession s = session("admin")) {
            s.addPasswordIdentity(PASSWORD);
            assertThatThrownBy(() -> s.auth().verify(Duration.ofSeconds(30))).isInstanceOf(SshException.class);
            assertThat(s.isAuthenticated()).isFalse();
        }
    }

    @Test
    void password_wrong_refusedAndAudited() throws Exception {
        serve(true, 4, ApplianceConfig.Lockout.DEFAULT, null);
        try (ClientSession s = session("admin")) {
            s.addPasswordIdentity("wrong");
            assertThatThrownBy(() -> s.auth().verify(Duration.ofSeconds(30))).isInstanceOf(SshException.class);
        }
        assertThat(fixture.audit.tail(10)).anySatisfy(l -> assertThat(l).contains("\"user\":\"admin\"",
                "\"source\":\"127.0.0.1\"", "\"event\":\"login-failed\"", "\"result\":\"refused: wrong password\""));
        assertThat(server.failedLogins()).isEqualTo(1);
    }

    @Test
    void lockout_afterRepeatedFailures_refusesEvenTheRightPassword() throws Exception {
        serve(true, 4, new ApplianceConfig.Lockout(2, Duration.ofMillis(1), 3, Duration.ofMinutes(10),
                Duration.ofMinutes(10)), null);
        for (int i = 0; i < 3; i++) {
            try (ClientSession s = session("admin")) {
                s.addPasswordIdentity("guess " + i);
                assertThatThrownBy(() -> s.auth().verify(Duration.ofSeconds(30))).isInstanceOf(SshException.class);
            }
        }
        assertThat(fixture.audit.tail(20)).anySatisfy(l -> assertThat(l).contains("\"event\":\"lockout\"",
                "locked out after 3 failed logins"));
        // The connection itself is refused now: the right password is never even asked for.
        assertThatThrownBy(() -> {
            try (ClientSession s = session("admin")) {
                s.addPasswordIdentity(PASSWORD);
                s.auth().verify(Duration.ofSeconds(30));
            }
        }).isInstanceOf(Exception.class);
        assertThat(server.sessions()).isZero();
        assertThat(fixture.audit.tail(20)).anySatisfy(l -> assertThat(l).contains(
                "\"event\":\"connection-refused\"", "locked out for"));
    }

    @Test
    void lockout_openSshUnknownKeys_lockedOutAfterRepeatedFailures() throws Exception {
        assumeTrue(OpenSsh.installed(), "OpenSSH client tools are not installed; .ci/run installs openssh-client");
        String adminKey = OpenSsh.keygen(dir, "admin");
        OpenSsh.keygen(dir, "stranger");
        serve(false, 4, new ApplianceConfig.Lockout(2, Duration.ofMillis(1), 3, Duration.ofMinutes(10),
                Duration.ofMinutes(10)), adminKey);
        OpenSsh ssh = new OpenSsh(dir, server.port());
        assertThat(ssh.ssh("admin", "admin", List.of(), "show version", null).exit()).isZero();
        for (int i = 0; i < 3; i++) {
            OpenSsh.Run r = ssh.ssh("admin", "stranger", List.of(), "show version", null);
            assertThat(r.err()).contains("Permission denied (publickey)");
            awaitAudit("\"event\":\"login-failed\"", i + 1);
        }
        OpenSsh.Run locked = ssh.ssh("admin", "admin", List.of(), "show version", null);
        assertThat(locked.exit()).isEqualTo(255);
        assertThat(locked.out()).isEmpty();
        assertThat(fixture.audit.tail(50)).anySatisfy(l -> assertThat(l).contains("\"event\":\"lockout\""))
                .anySatisfy(l -> assertThat(l).contains("\"event\":\"connection-refused\""));
    }

    /** Failures are counted when the server sees the session end, which may come after the client exits. */
    private void awaitAudit(String text, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fixture.audit.tail(200).stream().filter(l -> l.contains(text)).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the audit log never had " + count + " lines with " + text);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void sessionLimit_perUser_secondSessionRefused() throws Exception {
        serve(true, 1, ApplianceConfig.Lockout.DEFAULT, null);
        try (ClientSession first = session("admin")) {
            first.addPasswordIdentity(PASSWORD);
            first.auth().verify(Duration.ofSeconds(30));
            try (ClientSession second = session("admin")) {
                second.addPasswordIdentity(PASSWORD);
                assertThatThrownBy(() -> second.auth().verify(Duration.ofSeconds(30)))
                        .hasStackTraceContaining("Too many concurrent connections");
            }
            assertThat(exec(first, "show version")).contains("9.9-test");
        }
        awaitAudit("\"event\":\"login-refused\"", 1);
        // Being turned away for the session limit is not a failed login: it must not lead to a lockout.
        assertThat(fixture.audit.tail(20)).noneSatisfy(l -> assertThat(l).contains("login-failed"));
        assertThat(server.failedLogins()).isZero();
    }

    @Test
    void sessionLimit_global_furtherConnectionsClosedAtOnce() throws Exception {
        serve(true, 1, 4, Duration.ofMinutes(5), ApplianceConfig.Lockout.DEFAULT, null);
        try (ClientSession first = session("admin")) {
            first.addPasswordIdentity(PASSWORD);
            first.auth().verify(Duration.ofSeconds(30));
            assertThatThrownBy(() -> {
                try (ClientSession second = session("admin")) {
                    second.addPasswordIdentity(PASSWORD);
                    second.auth().verify(Duration.ofSeconds(30));
                }
            }).isInstanceOf(Exception.class);
            assertThat(exec(first, "show version")).contains("9.9-test");
        }
        assertThat(fixture.audit.tail(20)).anySatisfy(l -> assertThat(l).contains(
                "\"event\":\"connection-refused\"", "the console has its 1 sessions already"));
    }

    @Test
    void idleTimeout_silentSession_closedByTheServer() throws Exception {
        serve(true, 16, 4, Duration.ofSeconds(2), ApplianceConfig.Lockout.DEFAULT, null);
        try (ClientSession s = session("admin")) {
            s.addPasswordIdentity(PASSWORD);
            s.auth().verify(Duration.ofSeconds(30));
            // Invariant: a silent session does not stay open; the wait is generous, the server's limit is 2 s.
            s.waitFor(java.util.EnumSet.of(ClientSession.ClientSessionEvent.CLOSED), Duration.ofSeconds(60));
            assertThat(s.isOpen()).isFalse();
        }
    }
}
