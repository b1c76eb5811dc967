package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.mgmt.console.ConfigBackend;
import dev.portcullis.mgmt.console.StoreConfigBackend;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.NettyTransport;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's configuration mode over the real store and a real data plane on loopback: what the console's
 * words do to the candidate, what compare and commit report, and the history the console shows.
 */
class StoreConfigBackendTest {

    @TempDir
    Path dir;

    private ConfigStore store;
    private ManualTime time;
    private ConfigService service;
    private DataPlane plane;
    private ConfigBackend backend;

    @BeforeEach
    void setUp() throws Exception {
        int webPort;
        int podPort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            webPort = a.getLocalPort();
            podPort = b.getLocalPort();
        }
        store = ConfigStore.open(dir.resolve("state"), 50);
        store.importPolicy(ConfigServiceTest.policy(webPort, podPort), ConfigServiceTest.T0, "imported");
        time = new ManualTime(ConfigServiceTest.T0);
        service = ConfigService.open(store, new ConfigService.Settings(time, time));
        plane = DataPlane.start(NettyTransport.best(), ConfigServiceTest.PLANE, service.runningPolicy());
        service.start(plane::apply, () -> plane.recentFlows().snapshot());
        Files.createDirectories(dir.resolve("uploads/alice"));
        backend = new StoreConfigBackend(service, user -> dir.resolve("uploads").resolve(user));
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
        plane.close();
        store.close();
    }

    @Test
    void set_consoleWords_editTheCandidateAndCompleteFromIt() throws Exception {
        ConfigBackend.Session s = backend.open(new ConfigBackend.Operator("alice", "198.51.100.7:50022"));
        assertThat(s.completions(List.of())).contains("version", "cluster", "services", "rules", "default");
        assertThat(s.completions(List.of("rules"))).containsExactly("web");
        assertThat(s.completions(List.of("rules", "web"))).contains("name", "destination", "action");
        assertThat(s.completions(List.of("nothing", "here"))).isEmpty();

        s.set(List.of("rules", "web", "action"), "reject");
        assertThat(s.modified()).isTrue();
        assertThat(s.candidate()).contains("action: reject").contains("# test edge");

        ConfigBackend.Comparison c = s.compare(OptionalInt.empty());
        assertThat(c.against()).isEqualTo(1);
        assertThat(c.textDiff()).contains("-    action: accept").contains("+    action: reject");
        assertThat(c.verdictChanges()).isNotEmpty()
                .allSatisfy(v -> {
                    assertThat(v.before()).contains("accept");
                    assertThat(v.after()).contains("reject");
                });
    }

    @Test
    void commit_valid_becomesTheRunningRevisionInHistory() throws Exception {
        ConfigBackend.Session s = backend.open(new ConfigBackend.Operator("alice", "198.51.100.7:50022"));
        s.set(List.of("rules", "web", "log"), "true");
        ConfigBackend.CommitResult r = s.commit(Optional.of("log web"));
        assertThat(r.revision()).isEqualTo(2);
        assertThat(r.confirmBy()).isEmpty();
        assertThat(r.message()).startsWith("revision 2 committed and running");
        assertThat(backend.running().number()).isEqualTo(2);
        assertThat(backend.running().text()).contains("log: true");
        assertThat(backend.history()).extracting(ConfigBackend.RevisionInfo::number).contains(1, 2);
        ConfigBackend.RevisionInfo two = backend.history().stream().filter(h -> h.number() == 2).findFirst()
                .orElseThrow();
        assertThat(two.author()).isEqualTo("alice");
        assertThat(two.comment()).isEqualTo("log web");
        assertThat(two.state()).isEqualTo("running");
        assertThat(backend.revision(1).text()).doesNotContain("log: true");
    }

    @Test
    void commit_invalidCandidate_refusedWithLocatedErrorsAndNothingChanges() throws Exception {
        ConfigBackend.Session s = backend.open(new ConfigBackend.Operator("alice", "198.51.100.7:50022"));
        s.set(List.of("rules", "web", "action"), "maybe");
        assertThat(s.check().valid()).isFalse();
        assertThat(s.check().diagnostics()).anySatisfy(d -> assertThat(d).startsWith("candidate:").contains("maybe"));
        assertThatThrownBy(() -> s.commit(Optional.empty()))
                .isInstanceOf(dev.portcullis.mgmt.console.ConfigException.class)
                .satisfies(e -> assertThat(((dev.portcullis.mgmt.console.ConfigException) e).details())
                        .anySatisfy(d -> assertThat(d).contains("maybe")));
        assertThat(backend.running().number()).isEqualTo(1);
    }

    @Test
    void commitConfirmed_notConfirmed_rollsBackAndHistorySaysSo() throws Exception {
        ConfigBackend.Session s = backend.open(new ConfigBackend.Operator("alice", "198.51.100.7:50022"));
        s.set(List.of("rules", "web", "action"), "reject");
        ConfigBackend.CommitResult r = s.commitConfirmed(Duration.ofMinutes(2), Optional.empty());
        assertThat(r.confirmBy()).contains(ConfigServiceTest.T0.plus(Duration.ofMinutes(2)));
        assertThat(backend.history()).anySatisfy(h -> assertThat(h.state()).contains("unconfirmed"));
        time.advance(Duration.ofMinutes(2));
        assertThat(backend.running().number()).isEqualTo(3);
        assertThat(backend.running().text()).contains("action: accept");
        assertThat(backend.history()).anySatisfy(h -> assertThat(h.state()).contains("automatic-rollback"));
    }

    @Test
    void load_fileInUploadArea_replacesCandidate_rollback_takesAnOldRevision() throws Exception {
        ConfigBackend.Session s = backend.open(new ConfigBackend.Operator("alice", "198.51.100.7:50022"));
        String text = backend.running().text().replace("action: accept", "action: drop");
        Path file = dir.resolve("uploads/alice/new.yaml");
        Files.writeString(file, text);
        s.load(file);
        assertThat(s.candidate()).isEqualTo(text);
        s.commit(Optional.empty());
        ConfigBackend.Session t = backend.open(new ConfigBackend.Operator("alice", "198.51.100.7:50022"));
        t.rollback(1);
        assertThat(t.candidate()).isEqualTo(backend.revision(1).text());
        assertThat(t.commit(Optional.of("back")).revision()).isEqualTo(3);
        assertThat(backend.running().text()).contains("action: accept");
    }
}
