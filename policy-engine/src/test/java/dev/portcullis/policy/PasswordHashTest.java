package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void hash_thenMatches_onlyTheSamePassword() {
        String stored = PasswordHash.hash("correct horse".toCharArray());
        assertThat(stored).startsWith("$pbkdf2-sha256$i=600000$");
        PasswordHash h = PasswordHash.parse(stored);
        assertThat(h.matches("correct horse".toCharArray())).isTrue();
        assertThat(h.matches("correct horsE".toCharArray())).isFalse();
        assertThat(h.matches(new char[0])).isFalse();
    }

    @Test
    void hash_twice_differentSalts() {
        assertThat(PasswordHash.hash("x".toCharArray())).isNotEqualTo(PasswordHash.hash("x".toCharArray()));
    }

    @Test
    void parse_knownVector_matches() {
        // PBKDF2-HMAC-SHA256, password "password", salt "salt", 4096 iterations, 32 bytes (RFC 7914 style vector).
        PasswordHash h = PasswordHash.parse("$pbkdf2-sha256$i=4096$c2FsdA==$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=");
        assertThat(h.matches("password".toCharArray())).isTrue();
    }

    @Test
    void parse_malformedOrWeak_refused() {
        assertThatThrownBy(() -> PasswordHash.parse("hunter2")).hasMessageContaining("portcullis hash-password");
        assertThatThrownBy(() -> PasswordHash.parse("$pbkdf2-sha256$i=10$c2FsdA==$aGFzaA=="))
                .hasMessageContaining("too weak");
    }
}
