package dev.portcullis.mgmt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PolicyPathTest {

    @Test
    void parse_forms_segmentsAsWritten() throws Exception {
        assertThat(PolicyPath.parse("services.web.listen").segments()).containsExactly("services", "web", "listen");
        assertThat(PolicyPath.parse("rules[web.v2].action").segments()).containsExactly("rules", "web.v2", "action");
        assertThat(PolicyPath.parse("services.web.endpoints[10.244.1.5:8443]").segments())
                .containsExactly("services", "web", "endpoints", "10.244.1.5:8443");
        assertThat(PolicyPath.parse("sets.\"odd]na\\\"me\".x").segments()).containsExactly("sets", "odd]na\"me", "x");
        assertThat(PolicyPath.parse("  default ").segments()).containsExactly("default");
        assertThat(PolicyPath.parse("a.[b].c").segments()).containsExactly("a", "b", "c");
    }

    @Test
    void parse_malformed_saysWhereAndWhy() {
        assertThatThrownBy(() -> PolicyPath.parse("")).hasMessage("path '', character 1: a path is needed, like "
                + "rules.allow-web.action");
        assertThatThrownBy(() -> PolicyPath.parse("rules.")).hasMessage("path 'rules.', character 7: the path ends "
                + "with '.'");
        assertThatThrownBy(() -> PolicyPath.parse(".rules")).hasMessageContaining("character 1: an empty segment");
        assertThatThrownBy(() -> PolicyPath.parse("rules[web")).hasMessage("path 'rules[web', character 6: '[' "
                + "without its ']'");
        assertThatThrownBy(() -> PolicyPath.parse("rules[]")).hasMessageContaining("an empty segment '[]'");
        assertThatThrownBy(() -> PolicyPath.parse("a b")).hasMessage("path 'a b', character 2: ' ' where a '.' or "
                + "the end of the path was expected");
        assertThatThrownBy(() -> PolicyPath.parse("a.\"b")).hasMessageContaining("without its closing");
        assertThatThrownBy(() -> PolicyPath.parse("a]")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.kind()).isEqualTo(ConfigException.Kind.BAD_PATH));
    }

    @Provide
    Arbitrary<List<String>> segments() {
        return Arbitraries.strings().withChars("ab.[]\" \\:9-").ofMinLength(1).ofMaxLength(6).list().ofMinSize(1)
                .ofMaxSize(4);
    }

    /** Invariant: a path written back by toString parses to the same segments, whatever they hold. */
    @Property(tries = 500)
    void toString_anySegments_parsesBack(@ForAll("segments") List<String> segments) throws Exception {
        List<String> trimmed = segments.stream().filter(s -> !s.isBlank()).toList();
        if (trimmed.isEmpty()) {
            return;
        }
        PolicyPath p = new PolicyPath(trimmed);
        assertThat(PolicyPath.parse(p.toString()).segments()).isEqualTo(trimmed);
    }
}
