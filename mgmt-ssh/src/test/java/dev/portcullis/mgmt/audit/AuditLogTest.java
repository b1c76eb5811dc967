package dev.portcullis.mgmt.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    @TempDir
    Path dir;

    private static AuditEvent event(int i) {
        return new AuditEvent(Instant.parse("2026-11-28T09:00:00Z"), "alice", "192.0.2.7", "command",
                "show rules " + i, "ok");
    }

    @Test
    void toJson_escapesQuotesAndControlCharacters() {
        AuditEvent e = new AuditEvent(Instant.parse("2026-11-28T09:00:00Z"), "bob", "::1", "command",
                "commit comment \"say \\\"hi\\\"\"\n\u0001", "error: x");
        assertThat(e.toJson()).isEqualTo("{\"time\":\"2026-11-28T09:00:00Z\",\"user\":\"bob\",\"source\":\"::1\","
                + "\"event\":\"command\",\"command\":\"commit comment \\\"say \\\\\\\"hi\\\\\\\"\\\"\\n\\u0001\","
                + "\"result\":\"error: x\"}");
    }

    @Test
    void write_reopened_appendsAcrossRestarts() throws Exception {
        try (AuditLog log = new AuditLog(dir, 1 << 20, 3)) {
            log.write(event(1));
        }
        try (AuditLog log = new AuditLog(dir, 1 << 20, 3)) {
            log.write(event(2));
            assertThat(log.tail(10)).hasSize(2).first().asString().contains("show rules 1");
        }
        assertThat(Files.readAllLines(dir.resolve("audit.log"))).hasSize(2);
    }

    @Test
    void write_pastMaxSize_rotatesAndKeepsTheNewest() throws Exception {
        int lineLength = event(100).toJson().length() + 1;
        try (AuditLog log = new AuditLog(dir, 10L * lineLength, 2)) {
            for (int i = 100; i < 140; i++) {
                log.write(event(i));
            }
            // Invariant: no file exceeds the limit, at most KEEP rotated files exist, and the newest lines survive.
            assertThat(Files.size(dir.resolve("audit.log"))).isLessThanOrEqualTo(10L * lineLength);
            assertThat(dir.resolve("audit.1.log")).exists();
            assertThat(dir.resolve("audit.2.log")).exists();
            assertThat(dir.resolve("audit.3.log")).doesNotExist();
            List<String> tail = log.tail(25);
            assertThat(tail).hasSize(25);
            assertThat(tail.getLast()).contains("show rules 139");
            assertThat(tail.getFirst()).contains("show rules 115");
        }
    }
}
