package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final Operator ALICE = new Operator("alice", "198.51.100.7:50022");

    @TempDir
    Path dir;

    private static Revision commit(ConfigStore s, String text, String comment) throws IOException {
        return s.append(text, T0, ALICE, comment, Revision.Origin.COMMIT, Optional.empty(), OptionalInt.empty());
    }

    private Path revisionFile(int n) {
        return dir.resolve("revisions").resolve(String.format("revision-%010d", n));
    }

    @Test
    void open_empty_hasNoRunningRevision() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.running()).isEmpty();
            assertThat(s.history()).isEmpty();
            assertThat(s.pending()).isEmpty();
        }
    }

    @Test
    void append_thenReopen_revisionsTextsAndMetadataSurvive() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            Revision r1 = s.importPolicy("version: 1\n", T0, "imported from policy.yaml");
            assertThat(r1.number()).isEqualTo(1);
            assertThat(r1.origin()).isEqualTo(Revision.Origin.IMPORT);
            assertThat(r1.author()).isEqualTo("system");
            Revision r2 = commit(s, "version: 1\n# ünïcödé 😀\n", "line one\nline two: with \\ and \u0001");
            assertThat(r2.number()).isEqualTo(2);
        }
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            Revision r2 = s.running().orElseThrow();
            assertThat(r2.number()).isEqualTo(2);
            assertThat(r2.author()).isEqualTo("alice");
            assertThat(r2.source()).isEqualTo("198.51.100.7:50022");
            assertThat(r2.time()).isEqualTo(T0);
            assertThat(r2.comment()).isEqualTo("line one\nline two: with \\ and \u0001");
            assertThat(r2.origin()).isEqualTo(Revision.Origin.COMMIT);
            assertThat(s.text(2)).isEqualTo("version: 1\n# ünïcödé 😀\n");
            assertThat(s.text(1)).isEqualTo("version: 1\n");
            assertThat(s.history()).extracting(Revision::number).containsExactly(2, 1);
        }
    }

    @Test
    void importPolicy_storeNotEmpty_refused() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            s.importPolicy("a: 1\n", T0, "");
            assertThatThrownBy(() -> s.importPolicy("b: 1\n", T0, "")).isInstanceOf(IllegalStateException.class);
        }
    }

    /** Invariant: at most keepRevisions are kept, the newest, numbered contiguously. */
    @Test
    void append_pastTheBound_prunesTheOldest() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 5)) {
            for (int i = 1; i <= 12; i++) {
                commit(s, "n: " + i + "\n", "c" + i);
            }
            assertThat(s.history()).extracting(Revision::number).containsExactly(12, 11, 10, 9, 8);
            assertThatThrownBy(() -> s.text(7)).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("kept: 8 to 12");
        }
        try (Stream<Path> files = Files.list(dir.resolve("revisions"))) {
            assertThat(files).hasSize(5);
        }
    }

    @Test
    void open_leftoverTemporaryFiles_removed() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            commit(s, "n: 1\n", "");
        }
        Files.writeString(dir.resolve("revisions").resolve("revision-0000000002.tmp"), "half a rev");
        Files.writeString(dir.resolve("confirmed.tmp"), "half");
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.running().orElseThrow().number()).isEqualTo(1);
            commit(s, "n: 2\n", "");
            assertThat(s.text(2)).isEqualTo("n: 2\n");
        }
        assertThat(dir.resolve("confirmed.tmp")).doesNotExist();
    }

    /** Invariant: a revision that fails its check is never the running one, and is kept aside, not deleted. */
    @Test
    void open_truncatedOrAlteredRevision_setAsideAndTheValidOneRuns() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            commit(s, "n: 1\n", "");
            commit(s, "n: 2\n", "");
            commit(s, "n: 3\n", "");
        }
        byte[] three = Files.readAllBytes(revisionFile(3));
        Files.write(revisionFile(3), java.util.Arrays.copyOf(three, three.length - 10));
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.running().orElseThrow().number()).isEqualTo(2);
            assertThat(s.text(2)).isEqualTo("n: 2\n");
            // the next commit takes the number of the damaged one; the damaged file stays in damaged/
            assertThat(commit(s, "n: 3 again\n", "").number()).isEqualTo(3);
        }
        try (Stream<Path> damaged = Files.list(dir.resolve("damaged"))) {
            List<Path> files = damaged.toList();
            assertThat(files).hasSize(1);
            assertThat(files.getFirst().getFileName().toString()).startsWith("revision-0000000003.");
        }
        // one changed byte in the text
        byte[] two = Files.readAllBytes(revisionFile(2));
        String s2 = new String(two, StandardCharsets.UTF_8).replace("n: 2", "n: 9");
        Files.writeString(revisionFile(2), s2);
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.history()).extracting(Revision::number).containsExactly(3, 1);
        }
    }

    @Test
    void open_revisionUnderAnotherNumber_setAside() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            commit(s, "n: 1\n", "");
            commit(s, "n: 2\n", "");
        }
        Files.copy(revisionFile(1), revisionFile(3));
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.running().orElseThrow().number()).isEqualTo(2);
        }
    }

    @Test
    void open_twice_secondRefusedWhileTheFirstIsOpen() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThatThrownBy(() -> ConfigStore.open(dir, 50)).isInstanceOf(IOException.class)
                    .hasMessageContaining("open elsewhere");
            assertThat(s.directory()).isEqualTo(dir);
        }
        ConfigStore.open(dir, 50).close(); // free again once closed
    }

    @Test
    void pending_commitConfirmedUntilConfirmed_thenNotAfterReopen() throws Exception {
        Instant deadline = T0.plusSeconds(600);
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            commit(s, "n: 1\n", "");
            s.append("n: 2\n", T0, ALICE, "try", Revision.Origin.COMMIT, Optional.of(deadline), OptionalInt.of(1));
            PendingConfirm p = s.pending().orElseThrow();
            assertThat(p.revision().number()).isEqualTo(2);
            assertThat(p.deadline()).isEqualTo(deadline);
            assertThat(p.rollbackTo()).isEqualTo(1);
        }
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.pending()).isPresent();
            s.confirm(2);
            assertThat(s.pending()).isEmpty();
        }
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.confirmedThrough()).isEqualTo(2);
            assertThat(s.pending()).isEmpty();
        }
    }

    /** Fail safe: a marker that cannot be trusted confirms nothing, so the rollback still happens. */
    @Test
    void open_damagedConfirmedMarker_pendingStaysPending() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            commit(s, "n: 1\n", "");
            s.append("n: 2\n", T0, ALICE, "", Revision.Origin.COMMIT, Optional.of(T0), OptionalInt.of(1));
            s.confirm(2);
        }
        Files.writeString(dir.resolve("confirmed"), "portcullis-confirmed 1\nrevision: 2\n");
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.pending()).isPresent();
        }
    }

    /** Invariant: pruning never removes the revision an unconfirmed commit returns to. */
    @Test
    void append_manyUnconfirmed_keepsTheRollbackTarget() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 3)) {
            commit(s, "n: 1\n", "");
            for (int i = 2; i <= 8; i++) {
                s.append("n: " + i + "\n", T0, ALICE, "", Revision.Origin.COMMIT, Optional.of(T0),
                        OptionalInt.of(1));
            }
            assertThat(s.history()).extracting(Revision::number).containsExactly(8, 7, 1);
            assertThat(s.text(1)).isEqualTo("n: 1\n");
        }
    }

    @Test
    void open_keepBelowTwo_refused() {
        assertThatThrownBy(() -> ConfigStore.open(dir, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keepRevisions 1");
    }

    @Test
    void revisionFile_headerCannotBeForgedByAComment() throws Exception {
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            commit(s, "n: 1\n", "x\nnumber: 99\n\nfake text");
        }
        String raw = Files.readString(revisionFile(1));
        assertThat(raw).contains("comment: x\\nnumber: 99\\n\\nfake text\n");
        try (ConfigStore s = ConfigStore.open(dir, 50)) {
            assertThat(s.running().orElseThrow().comment()).isEqualTo("x\nnumber: 99\n\nfake text");
            assertThat(s.text(1)).isEqualTo("n: 1\n");
        }
    }
}
