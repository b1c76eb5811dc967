package dev.portcullis.mgmt.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.mgmt.console.ConsoleFixture;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.ApplianceConfig.Role;
import dev.portcullis.policy.Location;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive sessions as a person has them: the real OpenSSH client with a pseudo-terminal inside tmux, typed
 * into with send-keys and read back with capture-pane. Line editing, tab completion, {@code ?} help, history and
 * configuration mode.
 */
class InteractiveConsoleTest {

    @TempDir
    static Path dir;

    static ConsoleFixture fixture;
    static SshConsoleServer server;
    static OpenSsh ssh;

    private final String socket = "portcullis-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(OpenSsh.installed() && OpenSsh.onPath("tmux"),
                "OpenSSH client and tmux are needed; .ci/run installs openssh-client and tmux");
        fixture = ConsoleFixture.start(dir);
        List<ApplianceConfig.User> users = List.of(
                new ApplianceConfig.User("admin", Role.ADMIN, List.of(OpenSsh.keygen(dir, "admin")),
                        Optional.empty(), new Location("appliance.yaml", 1, 1)),
                new ApplianceConfig.User("audit", Role.AUDITOR, List.of(OpenSsh.keygen(dir, "audit")),
                        Optional.empty(), new Location("appliance.yaml", 2, 1)));
        ApplianceConfig.Ssh settings = new ApplianceConfig.Ssh(0, dir.resolve("hostkeys"), dir.resolve("uploads"),
                false, Duration.ofMinutes(5), 16, 4, ApplianceConfig.Lockout.DEFAULT, 1 << 20, 3);
        server = SshConsoleServer.start(settings, 0, "127.0.0.1", users, fixture.console, fixture.audit);
        ssh = new OpenSsh(dir, server.port());
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

    @AfterEach
    void killTmux() throws Exception {
        OpenSsh.run(List.of("tmux", "-L", socket, "kill-server"), null);
    }

    /** Starts {@code ssh -tt} as {@code user} in a detached tmux window of 150x50 and waits for the prompt. */
    private void login(String user) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ssh", "-tt", "-p", Integer.toString(server.port())));
        argv.addAll(ssh.options(user));
        argv.add(user + "@127.0.0.1");
        OpenSsh.Run r = OpenSsh.run(List.of("tmux", "-L", socket, "new-session", "-d", "-s", "console", "-x", "150",
                "-y", "50", String.join(" ", argv)), null);
        assertThat(r.exit()).as(r.err()).isZero();
        awaitScreen(user + "@edge-test>"); // capture-pane drops trailing blanks
    }

    private void keys(String... keys) throws Exception {
        List<String> argv = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", "console"));
        argv.addAll(List.of(keys));
        assertThat(OpenSsh.run(argv, null).exit()).isZero();
    }

    private String screen() throws Exception {
        return OpenSsh.run(List.of("tmux", "-L", socket, "capture-pane", "-p", "-t", "console"), null).out();
    }

    /** Waits until the screen shows {@code text}; returns the screen. */
    private String awaitScreen(String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String s = screen();
        while (!s.contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the screen never showed '" + text + "'; it shows:\n" + s);
            }
            Thread.sleep(50);
            s = screen();
        }
        return s;
    }

    /** The last non-empty line of the screen: the line being edited. */
    private String currentLine() throws Exception {
        List<String> lines = screen().lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    private void awaitLine(String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!currentLine().equals(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the line never became '" + line + "'; the screen shows:\n" + screen());
            }
            Thread.sleep(50);
        }
    }

    @Test
    void interactive_tabCompletesAndEnterRuns() throws Exception {
        login("admin");
        assertThat(screen()).contains("Portcullis 9.9-test on edge-test: admin (admin). Type ? for help");
        keys("sh", "Tab");
        awaitLine("admin@edge-test> show");
        keys("ro", "Tab");
        awaitLine("admin@edge-test> show routes");
        keys("Enter");
        String s = awaitScreen("node-a");
        assertThat(s).contains("podCidr", "127.1.1.0/24", "not managed");
        awaitLine("admin@edge-test>");
    }

    @Test
    void interactive_questionMark_showsHelpAndKeepsTheLine() throws Exception {
        login("admin");
        keys("show rules ", "?");
        String s = awaitScreen("Possible completions:");
        assertThat(s).contains("<enter>", "hits", "Rules with hit counts");
        awaitLine("admin@edge-test> show rules");
        keys("hits", "Enter");
        assertThat(awaitScreen("lastHit")).contains("no-telnet");
    }

    @Test
    void interactive_historyAndConfigurationMode() throws Exception {
        login("admin");
        keys("show version", "Enter");
        awaitScreen("java: ");
        awaitLine("admin@edge-test>"); // the output is complete and the next prompt is up, as a person would wait
        keys("Up");
        awaitLine("admin@edge-test> show version");
        keys("C-u", "configure", "Enter");
        awaitScreen("admin@edge-test#");
        keys("set rules web log true", "Enter");
        keys("compare", "Enter");
        assertThat(awaitScreen("verdict changes")).contains("+# set rules.web.log = true");
        keys("exit", "Enter");
        awaitScreen("uncommitted changes are dropped");
        awaitLine("admin@edge-test>");
    }

    @Test
    void interactive_auditor_isNotOfferedClear() throws Exception {
        login("audit");
        keys("cl", "Tab");
        Thread.sleep(300); // a completion would have shown by now; there is none to wait for
        assertThat(currentLine()).isEqualTo("audit@edge-test> cl");
        keys("C-u", "?");
        String s = awaitScreen("Possible completions:");
        assertThat(s).contains("show").doesNotContain("clear", "configure");
        keys("C-u", "clear counters", "Enter");
        awaitScreen("refused: 'clear counters' needs the admin or operator role");
    }
}
