package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Links the image's Java runtime from the packaged application (target/appliance-image.jar and target/lib, what
 * {@code portcullis-image build} ships) and runs both commands on it.
 */
class JavaRuntimeIT {

    @TempDir
    Path tmp;

    static List<Path> applicationJars() throws IOException {
        Path target = Path.of("target");
        List<Path> jars = new ArrayList<>();
        jars.add(target.resolve("appliance-image.jar"));
        try (Stream<Path> lib = Files.list(target.resolve("lib"))) {
            lib.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
        }
        return jars;
    }

    @Test
    void link_applicationModules_runsTheApplianceAndImageCommands() throws Exception {
        Path jdk = Path.of(System.getProperty("java.home"));
        List<Path> jars = applicationJars();
        List<String> modules = JavaRuntime.modulesFor(jdk, jars);
        assertThat(modules).contains("java.base", "jdk.unsupported").doesNotContain("java.desktop", "jdk.compiler");

        Path runtime = tmp.resolve("runtime");
        JavaRuntime.link(jdk, modules, runtime);
        String listed = Exec.check(List.of(runtime.resolve("bin/java").toString(), "--list-modules"));
        assertThat(listed).contains("java.base@").doesNotContain("java.desktop", "jdk.jshell");

        Path lib = Files.createDirectories(tmp.resolve("lib"));
        for (Path j : jars) {
            Files.copy(j, lib.resolve(j.getFileName()));
        }
        String appliance = Exec.check(List.of(runtime.resolve("bin/java").toString(), "-p", lib.toString(),
                "--add-modules", "ALL-MODULE-PATH", "-m", "dev.portcullis.appliance/dev.portcullis.appliance.Main",
                "--version"));
        assertThat(appliance).startsWith("portcullis ");
        String image = Exec.check(List.of(runtime.resolve("bin/java").toString(), "-p", lib.toString(),
                "--add-modules", "ALL-MODULE-PATH", "-m", "dev.portcullis.image/dev.portcullis.image.ImageMain",
                "--version"));
        assertThat(image).startsWith("portcullis-image ");
    }
}
