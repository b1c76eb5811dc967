package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session's candidate: load from the upload area, edits, check, discard. No data plane is needed for these. */
class ConfigSessionTest {

    @TempDir
    Path dir;

    private Path uploads;
    private ConfigStore store;
    private ConfigService service;
    private ConfigSession session;

    @BeforeEach
    void setUp() throws Exception {
        uploads = Files.createDirectories(dir.resolve("uploads/alice"));
        store = ConfigStore.open(dir.resolve("state"), 50);
        store.importPolicy(ConfigServiceTest.policy(8080, 8081), ConfigServiceTest.T0, "imported");
        ManualTime time = new ManualTime(ConfigServiceTest.T0);
        service = ConfigService.open(store, new ConfigService.Settings(time, time));
        session = service.openSession(ConfigServiceTest.ALICE, uploads);
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
        store.close();
    }

    @Test
    void load_fileInTheUploadArea_replacesTheCandidate() throws Exception {
        String other = ConfigServiceTest.policy(9090, 9091);
        Files.writeString(uploads.resolve("new.yaml"), other);
        LoadResult r = session.load("new.yaml");
        assertThat(r.description()).isEqualTo("loaded new.yaml (18 lines) into the candidate");
        assertThat(session.candidateText()).isEqualTo(other);
        assertThat(session.modified()).isTrue();
        Files.createDirectories(uploads.resolve("sub"));
        Files.writeString(uploads.resolve("sub/p.yaml"), "version: 1\n");
        session.load("/sub/p.yaml"); // a leading slash is the area's root, as SFTP shows it
        assertThat(session.candidateText()).isEqualTo("version: 1\n");
    }

    @Test
    void load_pathsLeavingTheArea_refused() throws Exception {
        Files.writeString(dir.resolve("secret.yaml"), "version: 1\n");
        assertThatThrownBy(() -> session.load("../secret.yaml")).hasMessage("load ../secret.yaml: it leads out of "
                + "the upload area");
        assertThatThrownBy(() -> session.load("sub/../../secret.yaml")).hasMessageContaining("leads out");
        assertThatThrownBy(() -> session.load("/../../secret.yaml")).hasMessageContaining("leads out");
        Files.createSymbolicLink(uploads.resolve("link.yaml"), dir.resolve("secret.yaml"));
        assertThatThrownBy(() -> session.load("link.yaml")).hasMessage("load link.yaml: it is a link that leads "
                + "out of the upload area");
        Files.createSymbolicLink(uploads.resolve("etc"), Path.of("/etc"));
        assertThatThrownBy(() -> session.load("etc/hostname")).hasMessageContaining("a link that leads out");
        assertThat(session.modified()).isFalse();
    }

    @Test
    void load_badFiles_refusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> session.load("missing.yaml")).hasMessage("load missing.yaml: no such file in the "
                + "upload area");
        Files.write(uploads.resolve("latin1.yaml"), "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> session.load("latin1.yaml")).hasMessage("load latin1.yaml: not UTF-8 text");
        Files.createDirectories(uploads.resolve("dir.yaml"));
        assertThatThrownBy(() -> session.load("dir.yaml")).hasMessage("load dir.yaml: not a regular file");
        assertThatThrownBy(() -> session.load("  ")).hasMessageContaining("a file name is needed");
        assertThatThrownBy(() -> session.load("/")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.kind()).isEqualTo(ConfigException.Kind.BAD_FILE));
    }

    @Test
    void load_invalidYaml_loadedThenEditsRefusedUntilFixed() throws Exception {
        Files.writeString(uploads.resolve("broken.yaml"), "rules: [a\n");
        session.load("broken.yaml");
        assertThat(session.check().report()).contains("candidate:2:1: error: malformed YAML");
        assertThatThrownBy(() -> session.set("default", "drop")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.kind()).isEqualTo(ConfigException.Kind.UNEDITABLE));
        session.discard();
        assertThat(session.modified()).isFalse();
        assertThat(session.set("default", "reject").description()).isEqualTo("set default to reject");
    }

    @Test
    void setAndDelete_editTheCandidateOnly() throws Exception {
        EditResult e = session.set("rules.web.log", "true");
        assertThat(e.layoutKept()).isTrue();
        assertThat(e.description()).isEqualTo("set rules.web.log to true (new rules.web.log)");
        assertThat(session.delete("rules.web.log").description()).isEqualTo("deleted rules.web.log");
        assertThat(session.modified()).isFalse();
        assertThat(service.running().number()).isEqualTo(1);
        assertThatThrownBy(() -> session.set("rules..x", "1")).isInstanceOfSatisfying(ConfigException.class, x -> {
            assertThat(x.kind()).isEqualTo(ConfigException.Kind.BAD_PATH);
            assertThat(x.getMessage()).isEqualTo("path 'rules..x', character 7: an empty segment before '.'");
        });
    }

    @Test
    void check_warnings_validWithThem() throws Exception {
        session.set("rules.again", "{destination: [service:web], action: drop}");
        CheckResult c = session.check();
        assertThat(c.valid()).isTrue();
        assertThat(c.warnings()).isEqualTo(1);
        assertThat(c.report()).contains("candidate:18:5: warning: rule 'again' can never match")
                .contains("candidate: valid, 0 errors, 1 warning");
    }
}
