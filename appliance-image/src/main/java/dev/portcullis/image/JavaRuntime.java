package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Java runtime of the image, cut down with jlink to the JDK modules the application needs: {@code jdeps
 * --print-module-deps} over the application's module path says which.
 */
final class JavaRuntime {

    private JavaRuntime() {
    }

    /** The JDK modules the jars need (jlink adds what those require). */
    static List<String> modulesFor(Path jdk, List<Path> jars) throws IOException {
        String modulePath = jars.stream().map(Path::toString).collect(Collectors.joining(":"));
        String out = Exec.check(List.of(jdk.resolve("bin/jdeps").toString(), "--print-module-deps",
                "--ignore-missing-deps", "--multi-release", Integer.toString(Runtime.version().feature()),
                "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH"));
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        if (!last.matches("[a-z0-9.]+(,[a-z0-9.]+)*")) {
            throw new IOException("jdeps printed no module list; its output ends with: " + last);
        }
        return List.copyOf(new TreeSet<>(Arrays.asList(last.split(","))));
    }

    /** Links a runtime of {@code modules} into {@code out} (which must not exist), without debug data or man pages. */
    static void link(Path jdk, List<String> modules, Path out) throws IOException {
        if (Files.exists(out)) {
            throw new IOException(out + " exists; jlink writes a new directory");
        }
        List<String> cmd = new ArrayList<>(List.of(jdk.resolve("bin/jlink").toString(), "--add-modules",
                String.join(",", modules), "--strip-debug", "--no-man-pages", "--no-header-files",
                "--compress", "zip-6", "--output", out.toString()));
        Exec.check(cmd);
    }
}
