package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesTest {

    @TempDir
    Path etc;

    @Test
    void read_deb822AndOneLine_asAptReadsThem() throws IOException {
        Files.createDirectories(etc.resolve("sources.list.d"));
        Files.writeString(etc.resolve("sources.list"), """
                # the classic form
                deb-src http://mirror.example/debian trixie main
                deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.example/debian trixie main contrib
                """);
        Files.writeString(etc.resolve("sources.list.d/debian.sources"), """
                Types: deb
                # a comment inside the stanza
                URIs: http://other.example/debian
                Suites: trixie trixie-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb
                URIs: http://other.example/debian-security
                Suites: trixie-security
                Components: main

                Types: deb
                Enabled: no
                URIs: http://disabled.example/debian
                Suites: trixie
                Components: main
                """);
        Files.writeString(etc.resolve("sources.list.d/vendor.list.disabled"), "deb http://vendor.example/apt x main\n");
        List<AptSources.Source> s = AptSources.read(etc);
        assertThat(s).extracting(AptSources.Source::uri).containsExactly("http://mirror.example/debian",
                "http://other.example/debian", "http://other.example/debian-security");
        assertThat(s.get(0).components()).containsExactly("main", "contrib");
        assertThat(AptSources.debianLines(s, etc)).containsExactly("deb http://mirror.example/debian trixie main",
                "deb http://other.example/debian trixie main", "deb http://other.example/debian trixie-updates main",
                "deb http://other.example/debian-security trixie-security main");
    }

    @Test
    void debianLines_noReleaseSuite_saysWhatToPass() throws IOException {
        Files.writeString(etc.resolve("sources.list"), "deb http://m.example/debian-security trixie-security main\n");
        assertThatThrownBy(() -> AptSources.debianLines(AptSources.read(etc), etc))
                .hasMessageContaining("pass --mirror URL");
    }

    @Test
    void read_lineWithoutSuite_namesFileAndLine() throws IOException {
        Files.writeString(etc.resolve("sources.list"), "\ndeb http://m.example/debian\n");
        assertThatThrownBy(() -> AptSources.read(etc)).hasMessage(etc.resolve("sources.list")
                + ":2: expected 'deb URI SUITE [COMPONENT...]'");
    }

    @Test
    void read_thisHost_findsAReleaseSuiteWhenItHasOne() throws IOException {
        // The build uses exactly this: whatever this machine's apt is configured with.
        List<AptSources.Source> host = AptSources.read(Path.of("/etc/apt"));
        org.junit.jupiter.api.Assumptions.assumeFalse(host.isEmpty(), "this host has no apt sources");
        assertThat(AptSources.debianLines(host, Path.of("/etc/apt"))).first().asString().startsWith("deb ");
    }
}
