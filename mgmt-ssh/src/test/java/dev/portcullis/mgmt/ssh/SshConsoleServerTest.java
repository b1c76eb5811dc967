package dev.portcullis.mgmt.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.mgmt.console.ConsoleFixture;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.ApplianceConfig.Role;
import dev.portcullis.policy.Location;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH console driven by the real OpenSSH client: logins, roles, one-shot and script sessions, JSON. */
class SshConsoleServerTest {

    @TempDir
    static Path dir;

    static ConsoleFixture fixture;
    static SshConsoleServer server;
    static OpenSsh ssh;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(OpenSsh.installed(), "OpenSSH client tools (ssh, sftp, ssh-keygen) are not installed; "
                + ".ci/run installs openssh-client");
        fixture = ConsoleFixture.start(dir);
        List<ApplianceConfig.User> users = List.of(
                user("admin", Role.ADMIN, OpenSsh.keygen(dir, "admin")),
                user("oper", Role.OPERATOR, OpenSsh.keygen(dir, "oper")),
                user("audit", Role.AUDITOR, OpenSsh.keygen(dir, "audit")));
        OpenSsh.keygen(dir, "stranger");
        ApplianceConfig.Ssh settings = new ApplianceConfig.Ssh(0, dir.resolve("hostkeys"), dir.resolve("uploads"),
                false, Duration.ofMinutes(5), 16, 4, ApplianceConfig.Lockout.DEFAULT, 1 << 20, 3);
        server = SshConsoleServer.start(settings, 0, "127.0.0.1", users, fixture.console, fixture.audit);
        ssh = new OpenSsh(dir, server.port());
    }

    static ApplianceConfig.User user(String name, Role role, String key) {
        return new ApplianceConfig.User(name, role, List.of(key), Optional.empty(),
                new Location("appliance.yaml", 1, 1));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void oneShot_knownKey_runsTheCommand() throws Exception {
        OpenSsh.Run r = ssh.ssh("audit", "audit", List.of(), "show services", null);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("service  protocol  listen").contains("web");
        assertThat(fixture.audit.tail(50)).anySatisfy(l -> assertThat(l).contains("\"user\":\"audit\"",
                "\"event\":\"login\"", "\"command\":\"publickey SHA256:"));
    }

    @Test
    void oneShot_json_isOneJsonValue() throws Exception {
        OpenSsh.Run r = ssh.ssh("oper", "oper", List.of(), "show rules | json", null);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("[{\"number\":1,\"name\":\"web\"").endsWith("]\n");
    }

    @Test
    void login_unknownKey_refused() throws Exception {
        OpenSsh.Run r = ssh.ssh("admin", "stranger", List.of(), "show version", null);
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("Permission denied (publickey)");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void login_unknownUser_refused() throws Exception {
        OpenSsh.Run r = ssh.ssh("root", "admin", List.of(), "show version", null);
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("Permission denied (publickey)");
    }

    @Test
    void login_passwordWhenDisabled_notEvenOffered() throws Exception {
        OpenSsh.Run r = ssh.ssh("admin", null, List.of("-o", "PreferredAuthentications=password",
                "-o", "PubkeyAuthentication=no"), "show version", null);
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("Permission denied (publickey)");
    }

    @Test
    void oneShot_systemCommand_isNotAConsoleCommand() throws Exception {
        OpenSsh.Run r = ssh.ssh("admin", "admin", List.of(), "cat /etc/passwd", null);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: unknown word 'cat'; expected one of show, request, help, exit, test, "
                + "clear, configure\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void forwarding_remotePortForward_refused() throws Exception {
        OpenSsh.Run r = ssh.ssh("admin", "admin", List.of("-o", "ExitOnForwardFailure=yes",
                "-R", "0:127.0.0.1:9"), "show version", null);
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).containsIgnoringCase("forwarding failed");
    }

    @Test
    void roles_eachRoleAllowedAndRefused() throws Exception {
        OpenSsh.Run auditorClear = ssh.ssh("audit", "audit", List.of(), "clear counters", null);
        assertThat(auditorClear.exit()).isEqualTo(2);
        assertThat(auditorClear.err()).isEqualTo("refused: 'clear counters' needs the admin or operator role; "
                + "audit is auditor\n");
        assertThat(ssh.ssh("audit", "audit", List.of(), "show rules hits", null).exit()).isZero();
        assertThat(ssh.ssh("audit", "audit", List.of(), "test policy from 192.0.2.1 to 127.0.0.1:80", null)
                .exit()).isEqualTo(2);

        OpenSsh.Run operatorClear = ssh.ssh("oper", "oper", List.of(), "clear counters", null);
        assertThat(operatorClear.exit()).as(operatorClear.err()).isZero();
        assertThat(operatorClear.out()).isEqualTo("counters cleared\n");
        assertThat(ssh.ssh("oper", "oper", List.of(), "test policy from 192.0.2.1 to 127.0.0.1:"
                + fixture.webPort, null).out()).contains("verdict:  accept");
        OpenSsh.Run operatorConfigure = ssh.ssh("oper", "oper", List.of(), "configure", null);
        assertThat(operatorConfigure.exit()).isEqualTo(2);
        assertThat(operatorConfigure.err()).contains("refused: 'configure' needs the admin role");

        OpenSsh.Run admin = ssh.ssh("admin", "admin", List.of("-T"), null, """
                configure
                set rules web log true
                show candidate
                exit
                exit
                """);
        assertThat(admin.exit()).as(admin.err()).isZero();
        assertThat(admin.out()).contains("entering configuration mode", "# set rules.web.log = true",
                "left configuration mode; the uncommitted changes are dropped");
        assertThat(fixture.audit.tail(200)).anySatisfy(l -> assertThat(l).contains("\"user\":\"audit\"",
                "\"command\":\"clear counters\"", "\"result\":\"refused: "))
                .anySatisfy(l -> assertThat(l).contains("\"user\":\"admin\"",
                        "\"command\":\"set rules web log true\"", "\"result\":\"ok\""));
    }

    @Test
    void script_failedCommand_exitStatusOne() throws Exception {
        OpenSsh.Run r = ssh.ssh("oper", "oper", List.of("-T"), null, "show version\nshow nothing\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("version:", "9.9-test");
        assertThat(r.err()).contains("error: unknown word 'nothing' after 'show'");
    }

    @Test
    void sftp_upload_confinedToTheUserArea_thenLoad() throws Exception {
        java.nio.file.Path local = dir.resolve("candidate.yaml");
        java.nio.file.Files.writeString(local, fixture.policyText.replace("default: drop", "default: reject"));
        OpenSsh.Run put = ssh.sftp("admin", "admin", "put " + local + " new.yaml\nls -1\npwd\n");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.out()).contains("new.yaml", "Remote working directory: /");
        assertThat(dir.resolve("uploads/admin/new.yaml")).exists();

        java.nio.file.Files.writeString(dir.resolve("secret.txt"), "secret");
        OpenSsh.Run escape = ssh.sftp("admin", "admin", "cd ..\npwd\nls -1\n");
        assertThat(escape.out()).contains("Remote working directory: /").doesNotContain("secret.txt", "hostkeys");
        assertThat(ssh.sftp("admin", "admin", "get /etc/passwd " + dir.resolve("got")).exit()).isNotZero();
        assertThat(ssh.sftp("admin", "admin", "get ../secret.txt " + dir.resolve("got")).exit()).isNotZero();
        // ".." from the area's root is the root itself, as on any file system: the file stays inside.
        ssh.sftp("admin", "admin", "put " + local + " ../outside.yaml\n");
        assertThat(dir.resolve("uploads/outside.yaml")).doesNotExist();
        assertThat(dir.resolve("uploads/admin/outside.yaml")).exists();
        assertThat(ssh.sftp("admin", "admin", "symlink /etc/passwd pw\n").exit()).isNotZero();
        assertThat(dir.resolve("uploads/admin/pw")).doesNotExist();
        // A link put there on the appliance itself does not lead out either.
        java.nio.file.Files.createSymbolicLink(dir.resolve("uploads/admin/planted"), dir);
        java.nio.file.Files.createSymbolicLink(dir.resolve("uploads/admin/planted.txt"), dir.resolve("secret.txt"));
        assertThat(ssh.sftp("admin", "admin", "get planted/secret.txt " + dir.resolve("got1")).exit()).isNotZero();
        assertThat(ssh.sftp("admin", "admin", "get planted.txt " + dir.resolve("got2")).exit()).isNotZero();
        OpenSsh.Run list = ssh.sftp("admin", "admin", "ls -1 planted/\n");
        assertThat(list.out()).doesNotContain("secret.txt", "hostkeys");
        assertThat(list.exit()).isNotZero();
        assertThat(dir.resolve("got1")).doesNotExist();
        assertThat(dir.resolve("got2")).doesNotExist();
        // Another user sees only their own area.
        assertThat(ssh.sftp("oper", "oper", "ls -1\n").out()).doesNotContain("new.yaml");

        OpenSsh.Run load = ssh.ssh("admin", "admin", List.of("-T"), null, """
                configure
                load new.yaml
                show candidate
                """);
        assertThat(load.exit()).as(load.err()).isZero();
        assertThat(load.out()).contains("loaded new.yaml into the candidate", "default: reject");
    }

    @Test
    void start_identification_namesNoVersion() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            java.io.InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                line.append((char) c);
            }
            assertThat(line.toString().strip()).isEqualTo("SSH-2.0-Portcullis");
        }
    }
}
