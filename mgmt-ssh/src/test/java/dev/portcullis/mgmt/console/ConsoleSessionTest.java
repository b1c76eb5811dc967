package dev.portcullis.mgmt.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.ApplianceConfig.Role;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console without SSH: grammar, roles, audit, output forms, configuration mode, over a real data plane. */
class ConsoleSessionTest {

    @TempDir
    static Path dir;

    static ConsoleFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = ConsoleFixture.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static ConsoleSession session(Role role) {
        return fixture.console.session(role.word(), role, "192.0.2.7");
    }

    private static String lastAudit() {
        return fixture.audit.tail(1).getFirst();
    }

    @Test
    void execute_showServices_tableOfTheRunningPolicy() {
        ConsoleSession.Result r = session(Role.AUDITOR).execute("show services");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("service  protocol  listen").contains("web      tcp       127.0.0.1:"
                + fixture.webPort);
        assertThat(lastAudit()).contains("\"user\":\"auditor\"", "\"source\":\"192.0.2.7\"",
                "\"event\":\"command\"", "\"command\":\"show services\"", "\"result\":\"ok\"");
    }

    @Test
    void execute_abbreviatedWords_runAndAuditTheFullCommand() {
        ConsoleSession.Result r = session(Role.OPERATOR).execute("sh rul hi");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("number  name", "no-telnet", "default");
        assertThat(lastAudit()).contains("\"command\":\"show rules hits\"");
    }

    @Test
    void execute_ambiguousOrUnknownWord_saysWhatWasExpected() {
        ConsoleSession.Result r = session(Role.ADMIN).execute("show con");
        assertThat(r.status()).isEqualTo(ConsoleSession.FAILED);
        assertThat(r.err()).isEqualTo("error: 'con' after 'show' is ambiguous: config, connections\n");
        r = session(Role.ADMIN).execute("show bogus");
        assertThat(r.err()).startsWith("error: unknown word 'bogus' after 'show'; expected one of ")
                .contains("version", "connections");
        r = session(Role.ADMIN).execute("show");
        assertThat(r.err()).startsWith("error: 'show' is not complete; expected one of version, system");
        assertThat(lastAudit()).contains("\"command\":\"show\"", "\"result\":\"error: 'show' is not complete");
    }

    @Test
    void execute_json_machineReadable() {
        ConsoleSession.Result r = session(Role.AUDITOR).execute("show rules hits | json");
        assertThat(r.out()).startsWith("[{\"number\":1,\"name\":\"web\",\"action\":\"accept\",\"hits\":")
                .contains("{\"number\":0,\"name\":\"default\",\"action\":\"drop\"").endsWith("}]\n");
        assertThat(lastAudit()).contains("\"command\":\"show rules hits | json\"");
        assertThat(session(Role.AUDITOR).execute("show version | xml").err())
                .isEqualTo("error: unknown output filter 'xml'; the filter is '| json'\n");
    }

    @Test
    void execute_auditor_refusedClearAndTestAndConfigure() {
        ConsoleSession s = session(Role.AUDITOR);
        ConsoleSession.Result r = s.execute("clear counters");
        assertThat(r.status()).isEqualTo(ConsoleSession.REFUSED);
        assertThat(r.err()).isEqualTo("refused: 'clear counters' needs the admin or operator role; auditor is "
                + "auditor\n");
        assertThat(lastAudit()).contains("\"command\":\"clear counters\"", "\"result\":\"refused: ");
        assertThat(s.execute("test policy from 192.0.2.1 to 127.0.0.1:" + fixture.webPort).status())
                .isEqualTo(ConsoleSession.REFUSED);
        assertThat(s.execute("configure").status()).isEqualTo(ConsoleSession.REFUSED);
        assertThat(s.mode()).isEqualTo(Mode.OPERATIONAL);
    }

    @Test
    void execute_operator_mayTestAndClearButNotConfigure() {
        ConsoleSession s = session(Role.OPERATOR);
        ConsoleSession.Result r = s.execute("test policy from 198.51.100.7 to 127.0.0.1:" + fixture.webPort);
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("verdict:  accept", "rule:     1", "ruleName: web");
        r = s.execute("test policy from 198.51.100.7:5000 to 10.0.0.1:23 protocol tcp | json");
        assertThat(r.out()).contains("\"verdict\":\"reject\"", "\"ruleName\":\"no-telnet\"");
        assertThat(s.execute("clear counters").out()).isEqualTo("counters cleared\n");
        assertThat(s.execute("configure").status()).isEqualTo(ConsoleSession.REFUSED);
    }

    @Test
    void execute_testPolicyBadAddress_saysWhy() {
        ConsoleSession.Result r = session(Role.ADMIN).execute("test policy from 300.1.1.1 to 127.0.0.1:80");
        assertThat(r.status()).isEqualTo(ConsoleSession.FAILED);
        assertThat(r.err()).startsWith("error: ").contains("300.1.1.1");
        r = session(Role.ADMIN).execute("test policy from 192.0.2.1 to 127.0.0.1");
        assertThat(r.err()).isEqualTo("error: the destination needs a port for tcp: write ADDRESS:PORT\n");
    }

    @Test
    void execute_connections_listsAndClearsRealConnections() throws Exception {
        ConsoleSession s = session(Role.OPERATOR);
        try (Socket c = fixture.connectWeb()) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (fixture.plane.connections().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            ConsoleSession.Result r = s.execute("show connections service web");
            assertThat(r.out()).contains("web", "127.0.0.1:" + c.getLocalPort(), "127.1.1.10:");
            assertThat(s.execute("show connections service nope").err())
                    .isEqualTo("error: no service 'nope' in the running policy; services: web\n");
            assertThat(s.execute("clear connections service web").out())
                    .isEqualTo("closing 1 connection of service web\n");
            assertThat(c.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void help_questionMark_listsNextWordsForTheRoleOnly() {
        String auditor = session(Role.AUDITOR).execute("?").out();
        assertThat(auditor).contains("show", "help", "exit").doesNotContain("clear", "test", "configure");
        String admin = session(Role.ADMIN).execute("?").out();
        assertThat(admin).contains("show", "clear", "test", "configure");
        String rules = session(Role.AUDITOR).execute("show rules ?").out();
        assertThat(rules).contains("<enter>", "hits");
        assertThat(session(Role.AUDITOR).execute("show conn?").out()).contains("connections")
                .doesNotContain("config");
    }

    @Test
    void complete_auditorGetsNoClear_andServicesComplete() {
        assertThat(session(Role.AUDITOR).complete(List.of(), "c")).isEmpty();
        assertThat(session(Role.OPERATOR).complete(List.of(), "c")).containsExactly("clear");
        assertThat(session(Role.ADMIN).complete(List.of(), "c")).containsExactlyInAnyOrder("clear", "configure");
        assertThat(session(Role.AUDITOR).complete(List.of("show", "connections", "service"), ""))
                .containsExactly("web");
        assertThat(session(Role.AUDITOR).complete(List.of("sh"), "ro")).containsExactly("routes");
    }

    @Test
    void execute_showRoutesAndSystem_readTheAppliance() {
        ConsoleSession s = session(Role.AUDITOR);
        assertThat(s.execute("show routes").out()).contains("node-a", "127.1.1.0/24", "not managed");
        assertThat(s.execute("show system").out()).contains("node:", "edge-test", "policyRevision:");
        assertThat(s.execute("show version | json").out()).startsWith("{\"version\":\"9.9-test\"");
        assertThat(s.execute("show config").out()).startsWith("# running revision ").contains("\nversion: 1\n");
    }

    @Test
    void execute_configurationMode_dispatchesToTheBackend() throws Exception {
        ConsoleSession s = session(Role.ADMIN);
        assertThat(s.execute("show candidate").status()).isEqualTo(ConsoleSession.FAILED); // not in this mode
        assertThat(s.execute("configure").status()).isZero();
        assertThat(s.mode()).isEqualTo(Mode.CONFIGURE);
        assertThat(s.prompt()).isEqualTo("[edit]\nadmin@edge-test# ");
        assertThat(s.complete(List.of("set"), "")).containsExactly("rules", "services", "sets", "default");
        assertThat(s.complete(List.of("set", "rules"), "w")).containsExactly("web");
        assertThat(s.execute("set rules web action reject").status()).isZero();
        assertThat(s.execute("set rules").err()).startsWith("error: set needs a path and a value");
        assertThat(s.execute("show candidate").out()).startsWith("# candidate (modified)")
                .contains("# set rules.web.action = reject");
        assertThat(s.execute("compare").out()).contains("== policy diff against revision 1",
                "+# set rules.web.action = reject", "verdict changes (1 of 10 sampled flows)", "drop (default)");
        assertThat(s.execute("check").out()).contains("configuration check succeeds");
        ConsoleSession.Result commit = s.execute("commit comment \"block web for maintenance\"");
        assertThat(commit.out()).startsWith("# commit complete: revision 2 is running");
        assertThat(lastAudit()).contains("\"command\":\"commit comment block web for maintenance\"",
                "\"result\":\"ok\"");
        assertThat(s.execute("commit confirmed 5 | json").out()).contains("\"revision\":3", "\"confirmBy\":\"");
        assertThat(s.execute("confirm").out()).isEqualTo("revision 3 confirmed\n");
        assertThat(s.execute("rollback 1").out()).contains("revision 1");
        assertThat(s.execute("discard").status()).isZero();
        assertThat(s.execute("exit").out()).isEqualTo("left configuration mode\n");
        assertThat(s.mode()).isEqualTo(Mode.OPERATIONAL);
        assertThat(s.execute("show history").out()).contains("block web for maintenance", "admin", "192.0.2.7");
        assertThat(fixture.config.calls).contains("open admin 192.0.2.7", "set [rules, web] action reject".replace(
                " action", ", action").replace("[rules, web], action reject", "[rules, web, action] reject"),
                "commit 2 block web for maintenance", "confirm", "rollback 1", "discard", "close admin");
    }

    @Test
    void execute_loadOutsideTheUploadArea_refused() throws Exception {
        ConsoleSession s = fixture.console.session("carol", Role.ADMIN, "192.0.2.8");
        Files.createDirectories(dir.resolve("uploads/carol"));
        Files.writeString(dir.resolve("uploads/carol/new.yaml"), fixture.policyText.replace("default: drop",
                "default: reject"));
        Files.writeString(dir.resolve("secret.yaml"), "not yours");
        Files.createSymbolicLink(dir.resolve("uploads/carol/link.yaml"), dir.resolve("secret.yaml"));
        s.execute("configure");
        assertThat(s.complete(List.of("load"), "")).containsExactly("new.yaml");
        assertThat(s.execute("load ../../secret.yaml").err()).isEqualTo(
                "error: '../../secret.yaml' is outside your upload area\n");
        assertThat(s.execute("load " + dir.resolve("secret.yaml")).err()).contains("not an absolute path");
        assertThat(s.execute("load link.yaml").err()).startsWith("error: no file 'link.yaml' in your upload area");
        assertThat(s.execute("load new.yaml").status()).isZero();
        assertThat(s.execute("show candidate").out()).contains("default: reject");
        s.close();
        assertThat(fixture.config.calls).contains("close carol");
    }

    @Test
    void execute_unclosedQuote_saysWhere() {
        assertThat(session(Role.ADMIN).execute("show \"rules").err())
                .isEqualTo("error: the quote at column 6 is not closed\n");
    }

    @Test
    void execute_showLogDecisions_lastLinesOfTheFile() throws Exception {
        Path file = dir.resolve("logs/decisions.log");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            lines.append("{\"rule\":\"web\",\"n\":").append(i).append("}\n");
        }
        Files.writeString(file, lines);
        ConsoleSession.Result r = session(Role.AUDITOR).execute("show log decisions");
        assertThat(r.out().lines().toList()).hasSize(100).first().asString().contains("\"n\":50");
        assertThat(session(Role.AUDITOR).execute("show log decisions | json").out())
                .startsWith("[\"{\\\"rule\\\":\\\"web\\\",\\\"n\\\":50}\"");
        assertThat(session(Role.AUDITOR).execute("show log audit").out()).contains("\"event\":\"command\"");
    }
}
