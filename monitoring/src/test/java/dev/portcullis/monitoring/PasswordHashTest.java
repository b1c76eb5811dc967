package dev.portcullis.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void create_thenParse_matchesOnlyThePassword() {
        String stored = PasswordHash.create("correct horse".toCharArray()).toString();
        assertThat(stored).startsWith("pbkdf2-sha256$600000$").doesNotContain("correct");
        PasswordHash h = PasswordHash.parse(stored);
        assertThat(h.matches("correct horse".toCharArray())).isTrue();
        assertThat(h.matches("correct horsE".toCharArray())).isFalse();
        assertThat(h.matches("".toCharArray())).isFalse();
    }

    @Test
    void create_twice_differentSalts() {
        assertThat(PasswordHash.create("pw".toCharArray()).toString())
                .isNotEqualTo(PasswordHash.create("pw".toCharArray()).toString());
    }

    @Test
    void parse_malformed_saysWhat() {
        assertThatThrownBy(() -> PasswordHash.parse("hunter2")).hasMessageContaining("not of the form");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=="))
                .hasMessageContaining("1000 iterations, fewer than 10000");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$20000$!!$aGFzaA=="))
                .hasMessageContaining("not base64");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$20000$c2FsdA==$aGFzaA=="))
                .hasMessageContaining("at least 8 and 16");
    }
}
