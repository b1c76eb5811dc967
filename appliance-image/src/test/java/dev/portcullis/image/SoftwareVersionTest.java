package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SoftwareVersionTest {

    @Test
    void compareTo_semverExamples_followPrecedence() {
        // The precedence chain of the Semantic Versioning 2.0 specification, section 11, plus a release after.
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0");
        for (int i = 0; i < ordered.size(); i++) {
            for (int j = 0; j < ordered.size(); j++) {
                int c = SoftwareVersion.parse(ordered.get(i)).compareTo(SoftwareVersion.parse(ordered.get(j)));
                assertThat(Integer.signum(c)).as(ordered.get(i) + " vs " + ordered.get(j))
                        .isEqualTo(Integer.compare(i, j));
            }
        }
    }

    @Test
    void compareTo_buildMetadata_isIgnored() {
        assertThat(SoftwareVersion.parse("0.2.0+g1a2b3c4").compareTo(SoftwareVersion.parse("0.2.0+gffff"))).isZero();
        assertThat(SoftwareVersion.parse("0.2.0-SNAPSHOT+g1").isOlderThan(SoftwareVersion.parse("0.2.0"))).isTrue();
    }

    @Test
    void parse_roundTrips() {
        for (String v : List.of("0.1.0", "0.1.0-SNAPSHOT+g1a2b3c4", "1.2.3-rc.1", "4.5.6+build.7")) {
            assertThat(SoftwareVersion.parse(v)).hasToString(v);
        }
    }

    @Test
    void parse_notAVersion_namesTheText() {
        assertThatThrownBy(() -> SoftwareVersion.parse("1.2")).hasMessageContaining("'1.2' is not a version");
        assertThatThrownBy(() -> SoftwareVersion.parse("01.2.3")).hasMessageContaining("'01.2.3'");
        assertThatThrownBy(() -> SoftwareVersion.parse("1.2.3-01")).hasMessageContaining("leading zero");
    }
}
