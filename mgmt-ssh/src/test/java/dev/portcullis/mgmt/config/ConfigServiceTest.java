package dev.portcullis.mgmt.config;

import dev.portcullis.policy.CpuAffinity;
import static dev.portcullis.mgmt.config.TestNet.assertAdmitted;
import static dev.portcullis.mgmt.config.TestNet.assertEchoes;
import static dev.portcullis.mgmt.config.TestNet.assertRefused;
import static dev.portcullis.mgmt.config.TestNet.connect;
import static dev.portcullis.mgmt.config.TestNet.freePort;
import static dev.portcullis.mgmt.config.TestNet.readLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.DataPlaneSettings;
import dev.portcullis.router.NettyTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration service end to end on a real data plane on loopback: commits change what the listeners do,
 * refusals change nothing, and an unconfirmed commit confirmed comes back by itself, also across a restart. Time
 * moves by hand ({@link ManualTime}).
 */
class ConfigServiceTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final Operator ALICE = new Operator("alice", "198.51.100.7:50022");
    static final Operator BOB = new Operator("bob", "198.51.100.8:50100");
    static final DataPlaneSettings PLANE = new DataPlaneSettings(2, 0, 1024, false, 100, Duration.ofSeconds(1),
            CpuAffinity.AUTO);

    @TempDir
    Path dir;

    private int webPort;
    private int podPort;
    private TestNet.Pod pod;
    private ConfigStore store;
    private ManualTime time;
    private ConfigService service;
    private DataPlane plane;

    static String policy(int webPort, int podPort) {
        return """
                # test edge
                version: 1
                cluster:
                  name: test
                  podCIDR: [127.1.0.0/16]
                  serviceCIDR: [127.96.0.0/16]
                  nodes:
                    - {name: n1, address: 127.0.0.1, podCIDR: 127.1.1.0/24}
                services:
                  web:
                    listen: [127.0.0.1:%d]
                    endpoints: [127.1.1.10:%d]
                    healthCheck: {enabled: false}
                rules:
                  - name: web
                    destination: [service:web]
                    action: accept
                default: drop
                """.formatted(webPort, podPort);
    }

    @BeforeEach
    void setUp() throws Exception {
        webPort = freePort();
        podPort = freePort();
        pod = new TestNet.Pod("127.1.1.10", podPort, "pod-a");
        store = ConfigStore.open(dir.resolve("state"), 50);
        store.importPolicy(policy(webPort, podPort), T0, "imported from policy.yaml");
        time = new ManualTime(T0);
        startAppliance();
    }

    /** What the appliance does at start: open the service, start the data plane on its policy, hand it over. */
    private void startAppliance() throws Exception {
        service = ConfigService.open(store, new ConfigService.Settings(time, time));
        plane = DataPlane.start(NettyTransport.best(), PLANE, service.runningPolicy());
        service.start(plane::apply, () -> plane.recentFlows().snapshot());
    }

    /** A restart: everything stops and the store is opened again, as after a reboot. */
    private void restart() throws Exception {
        service.close();
        plane.close();
        store.close();
        store = ConfigStore.open(dir.resolve("state"), 50);
        startAppliance();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.close();
        }
        if (plane != null) {
            plane.close();
        }
        if (store != null) {
            store.close();
        }
        pod.close();
    }

    private ConfigSession session(Operator who) throws ConfigException {
        return service.openSession(who, dir.resolve("uploads").resolve(who.name()));
    }

    /** Adds service {@code api} on {@code port} to the candidate, with a rule that admits it. */
    private void addApi(ConfigSession s, int port) throws ConfigException {
        s.set("services.api", "{listen: [127.0.0.1:%d], endpoints: [127.1.1.10:%d], healthCheck: {enabled: false}}"
                .formatted(port, podPort));
        s.set("rules.api", "{destination: [service:api], action: accept}");
    }

    @Test
    void commit_valid_appliedToTheDataPlaneAndRecorded() throws Exception {
        int apiPort = freePort();
        ConfigSession s = session(ALICE);
        addApi(s, apiPort);
        assertRefused(apiPort);
        CommitResult r = s.commit("open the api");
        assertThat(r.revision().number()).isEqualTo(2);
        assertThat(r.revision().author()).isEqualTo("alice");
        assertThat(r.revision().source()).isEqualTo("198.51.100.7:50022");
        assertThat(r.revision().comment()).isEqualTo("open the api");
        assertThat(r.revision().time()).isEqualTo(T0);
        assertThat(r.reload().added()).hasSize(1);
        assertThat(r.pending()).isEmpty();
        assertAdmitted(apiPort, "pod-a");
        assertAdmitted(webPort, "pod-a");
        assertThat(service.running().number()).isEqualTo(2);
        assertThat(service.text(2)).isEqualTo(s.candidateText());
        assertThat(s.base().number()).isEqualTo(2);
        assertThat(s.modified()).isFalse();
        assertThat(service.history()).extracting(Revision::number).containsExactly(2, 1);
    }

    @Test
    void commit_invalid_refusedWithPlacedDiagnosticsAndNothingChanges() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.action", "permit");
        assertThatThrownBy(() -> s.commit("typo"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ConfigException.Kind.INVALID_CANDIDATE);
                    assertThat(e.getMessage()).contains("1 error").contains("nothing was committed");
                    assertThat(e.report()).contains("candidate:17:13: error: unknown action 'permit'")
                            .contains("hint: use accept, drop or reject");
                });
        assertThat(service.running().number()).isEqualTo(1);
        assertAdmitted(webPort, "pod-a");
        assertThat(s.check().valid()).isFalse();
        assertThat(s.check().report()).contains("candidate: invalid, 1 error, 0 warnings");
    }

    @Test
    void commit_listenerCannotBeBound_refusedAndStoreAndDataPlaneUnchanged() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ConfigSession s = session(ALICE);
            addApi(s, taken.getLocalPort());
            assertThatThrownBy(() -> s.commit("api"))
                    .isInstanceOfSatisfying(ConfigException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ConfigException.Kind.APPLY_FAILED);
                        assertThat(e.getMessage()).startsWith("the data plane refused the candidate: ")
                                .endsWith("; nothing changed");
                    });
        }
        assertThat(service.running().number()).isEqualTo(1);
        assertThat(service.history()).hasSize(1);
        assertAdmitted(webPort, "pod-a");
    }

    @Test
    void commit_someoneCommittedSince_refusedNamingWhoThenDiscardAndRetry() throws Exception {
        ConfigSession alice = session(ALICE);
        ConfigSession bob = session(BOB);
        alice.set("rules.web.log", "true");
        time.advance(Duration.ofSeconds(42));
        alice.commit("log web");
        bob.set("rules.web.description", "storefront");
        assertThatThrownBy(() -> bob.commit("describe"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ConfigException.Kind.CONFLICT);
                    assertThat(e.getMessage()).isEqualTo("the running revision changed since this candidate was "
                            + "taken from revision 1: revision 2 by alice from 198.51.100.7:50022 at "
                            + "2026-11-28T10:00:42Z ('log web'); nothing was committed. 'compare' shows the "
                            + "difference; 'discard' starts again from revision 2");
                });
        assertThat(service.running().number()).isEqualTo(2);
        bob.discard();
        assertThat(bob.candidateText()).contains("log: true");
        bob.set("rules.web.description", "storefront");
        assertThat(bob.commit("describe").revision().number()).isEqualTo(3);
    }

    /**
     * The lockout guard: a change that locks everyone out comes back by itself; connections established before
     * stay up throughout.
     */
    @Test
    void commitConfirmed_notConfirmed_previousRevisionReturnsAndConnectionsSurvive() throws Exception {
        try (Socket established = connect(webPort)) {
            assertThat(readLine(established)).isEqualTo("pod-a");
            ConfigSession s = session(ALICE);
            s.set("rules.web.action", "reject");
            CommitResult r = s.commitConfirmed(Duration.ofMinutes(5), "refuse web");
            assertThat(r.pending()).hasValueSatisfying(p -> {
                assertThat(p.deadline()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
                assertThat(p.rollbackTo()).isEqualTo(1);
            });
            assertRefused(webPort);
            assertEchoes(established, "still here");

            time.advance(Duration.ofMinutes(4));
            assertThat(service.running().number()).isEqualTo(2);
            assertRefused(webPort);

            time.advance(Duration.ofMinutes(1));
            Revision back = service.running();
            assertThat(back.number()).isEqualTo(3);
            assertThat(back.origin()).isEqualTo(Revision.Origin.AUTOMATIC_ROLLBACK);
            assertThat(back.author()).isEqualTo("system");
            assertThat(back.comment()).isEqualTo("automatic rollback: revision 2 by alice from 198.51.100.7:50022 "
                    + "was not confirmed by 2026-11-28T10:05:00Z; back to revision 1");
            assertThat(service.text(3)).isEqualTo(service.text(1));
            assertThat(service.pendingConfirm()).isEmpty();
            assertAdmitted(webPort, "pod-a");
            assertEchoes(established, "and still here");
        }
    }

    @Test
    void commitConfirmed_confirmedInTime_stays() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.log", "true");
        s.commitConfirmed(Duration.ofMinutes(5), "");
        time.advance(Duration.ofMinutes(3));
        assertThat(session(BOB).confirm().number()).isEqualTo(2);
        assertThat(time.pending()).isZero();
        time.advance(Duration.ofHours(1));
        assertThat(service.running().number()).isEqualTo(2);
        assertThat(service.pendingConfirm()).isEmpty();
        assertThatThrownBy(s::confirm).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.kind()).isEqualTo(ConfigException.Kind.NOTHING_TO_CONFIRM));
    }

    @Test
    void commitConfirmed_twiceBeforeConfirm_returnsToTheLastConfirmedRevision() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.log", "true");
        s.commitConfirmed(Duration.ofMinutes(5), "first try");
        s.set("rules.web.action", "reject");
        CommitResult second = s.commitConfirmed(Duration.ofMinutes(10), "second try");
        assertThat(second.pending().orElseThrow().rollbackTo()).isEqualTo(1);
        time.advance(Duration.ofMinutes(6));
        assertThat(service.running().number()).isEqualTo(3); // the first deadline no longer applies
        time.advance(Duration.ofMinutes(5));
        assertThat(service.running().number()).isEqualTo(4);
        assertThat(service.text(4)).isEqualTo(service.text(1));
    }

    @Test
    void commit_plainCommitWhilePending_confirmsByReplacing() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.log", "true");
        s.commitConfirmed(Duration.ofMinutes(5), "");
        s.set("rules.web.description", "storefront");
        s.commit("");
        assertThat(service.pendingConfirm()).isEmpty();
        time.advance(Duration.ofMinutes(30));
        assertThat(service.running().number()).isEqualTo(3);
    }

    @Test
    void commitConfirmed_restartBeforeTheDeadline_rolledBackWhenItComes() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.action", "reject");
        s.commitConfirmed(Duration.ofMinutes(10), "risky");
        time.advance(Duration.ofMinutes(2));
        restart();
        assertThat(service.running().number()).isEqualTo(2);
        assertThat(service.pendingConfirm()).isPresent();
        assertRefused(webPort);
        time.advance(Duration.ofMinutes(8));
        assertThat(service.running().origin()).isEqualTo(Revision.Origin.AUTOMATIC_ROLLBACK);
        assertAdmitted(webPort, "pod-a");
    }

    @Test
    void commitConfirmed_restartAfterTheDeadline_rolledBackBeforeTheDataPlaneStarts() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.action", "reject");
        s.commitConfirmed(Duration.ofMinutes(10), "risky");
        service.close();
        plane.close();
        store.close();
        time.advance(Duration.ofMinutes(30)); // the appliance was down past the deadline
        store = ConfigStore.open(dir.resolve("state"), 50);
        service = ConfigService.open(store, new ConfigService.Settings(time, time));
        assertThat(service.running().number()).isEqualTo(3);
        assertThat(service.running().origin()).isEqualTo(Revision.Origin.AUTOMATIC_ROLLBACK);
        assertThat(service.runningPolicy().policy().rule("web").orElseThrow().action().word()).isEqualTo("accept");
        plane = DataPlane.start(NettyTransport.best(), PLANE, service.runningPolicy());
        service.start(plane::apply, () -> plane.recentFlows().snapshot());
        assertAdmitted(webPort, "pod-a");
    }

    @Test
    void commitConfirmed_rollbackRefusedByTheDataPlane_retriedUntilItWorks() throws Exception {
        ConfigSession s = session(ALICE);
        s.delete("services.web");
        s.delete("rules.web");
        s.commitConfirmed(Duration.ofMinutes(5), "retire web");
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true);
            squatter.bind(new InetSocketAddress("127.0.0.1", webPort));
            time.advance(Duration.ofMinutes(5));
            // revision 1 needs the web port back, which is taken: the rollback waits and retries
            assertThat(service.running().number()).isEqualTo(2);
            assertThat(service.pendingConfirm()).isPresent();
        }
        time.advance(Duration.ofSeconds(ConfigService.RETRY_SECONDS));
        assertThat(service.running().number()).isEqualTo(3);
        assertAdmitted(webPort, "pod-a");
    }

    @Test
    void commitConfirmed_outsideTheWindow_refused() throws Exception {
        ConfigSession s = session(ALICE);
        assertThatThrownBy(() -> s.commitConfirmed(Duration.ofSeconds(30), ""))
                .hasMessage("commit confirmed needs 1 to 1440 minutes, not 0");
        assertThatThrownBy(() -> s.commitConfirmed(Duration.ofDays(2), "")).hasMessageContaining("not 2880");
    }

    @Test
    void rollback_oldRevision_loadedIntoTheCandidateAndCommittedWithAComment() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.log", "true");
        s.commit("log");
        s.set("rules.web.action", "drop");
        s.commit("drop");
        LoadResult loaded = s.rollback(1);
        assertThat(loaded.description()).startsWith("loaded revision 1 (").contains("commit to make it");
        assertThat(s.candidateText()).isEqualTo(service.text(1));
        assertThat(service.running().number()).isEqualTo(3);
        CommitResult r = s.commit("");
        assertThat(r.revision().comment()).isEqualTo("rollback to revision 1");
        assertThat(service.text(4)).isEqualTo(service.text(1));
        assertAdmitted(webPort, "pod-a");
        assertThatThrownBy(() -> s.rollback(9)).hasMessage("no revision 9 (kept: 1 to 4)");
    }

    @Test
    void compare_changedRule_unifiedDiffAndVerdictDiffWithTheRealFlow() throws Exception {
        int clientPort;
        try (Socket c = connect(webPort)) {
            clientPort = c.getLocalPort();
            assertThat(readLine(c)).isEqualTo("pod-a");
        }
        ConfigSession s = session(ALICE);
        s.set("rules.web.action", "reject");
        CompareResult r = s.compare();
        assertThat(r.diff()).isEqualTo("""
                --- revision 1
                +++ candidate
                @@ -14,5 +14,5 @@
                 rules:
                   - name: web
                     destination: [service:web]
                -    action: accept
                +    action: reject
                 default: drop
                """);
        VerdictDiffReport v = r.verdicts().orElseThrow();
        assertThat(v.exhaustive()).isTrue();
        assertThat(v.transitions()).extracting(VerdictTransition::before, VerdictTransition::after)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("accept by rule 'web'", "reject by rule 'web'"));
        FlowKey real = new FlowKey(IpAddress.parse("127.0.0.1"), IpAddress.parse("127.0.0.1"), clientPort, webPort,
                IpProtocols.TCP);
        assertThat(v.recentChanges()).extracting(VerdictChange::flow).containsExactly(real);
        assertThat(r.format()).contains("Recent real flows: 1 of 1 would change:")
                .contains("tcp 127.0.0.1:" + clientPort + " -> 127.0.0.1:" + webPort
                        + ": accept by rule 'web' -> reject by rule 'web'");
        assertThat(s.compare(1).diff()).isEqualTo(r.diff());
        assertThatThrownBy(() -> s.compare(7)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.kind()).isEqualTo(ConfigException.Kind.NO_SUCH_REVISION));
    }

    @Test
    void compare_invalidCandidate_diffWithoutVerdicts() throws Exception {
        ConfigSession s = session(ALICE);
        s.set("rules.web.action", "permit");
        CompareResult r = s.compare();
        assertThat(r.diff()).contains("+    action: permit");
        assertThat(r.verdicts()).isEmpty();
        assertThat(r.format()).contains("No verdict diff: the candidate has 1 error (see check).");
        assertThatThrownBy(s::verdictDiff).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.kind()).isEqualTo(ConfigException.Kind.INVALID_CANDIDATE));
    }

    @Test
    void commit_beforeStart_refusedAndStartingTwiceIsAnError() throws Exception {
        service.close();
        try (ConfigService notStarted = ConfigService.open(store, new ConfigService.Settings(time, time))) {
            ConfigSession s = notStarted.openSession(ALICE, dir);
            assertThatThrownBy(() -> s.commit("")).isInstanceOfSatisfying(ConfigException.class,
                    e -> assertThat(e.kind()).isEqualTo(ConfigException.Kind.NOT_RUNNING));
            notStarted.start(plane::apply, FlowSamples.NONE);
            assertThatThrownBy(() -> notStarted.start(plane::apply, FlowSamples.NONE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        }
    }
}
