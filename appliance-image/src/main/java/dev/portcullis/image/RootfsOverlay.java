package dev.portcullis.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Stages what the image adds to Debian, in a directory laid out like the root file system: the Java runtime and
 * the application under {@code /opt/portcullis}, the two commands in {@code /usr/bin}, the systemd units from
 * {@code configs/systemd/}, the default configuration from {@code configs/appliance/}, the public key bundles are
 * verified against, fstab, hostname and network configuration.
 */
final class RootfsOverlay {

    /** Where the image keeps the public key that update bundles must verify against. */
    static final String PUBLIC_KEY = "usr/share/portcullis/image-signing.pub";
    static final String DEFAULT_CONFIG = "usr/share/portcullis/default-config";
    static final String RUNTIME = "opt/portcullis/runtime";
    static final String LIB = "opt/portcullis/lib";

    /** Files shipped in this module's resources under {@code overlay/}, with their modes. */
    private static final Map<String, String> RESOURCES = Map.of(
            "usr/lib/portcullis/init-data", "rwxr-xr-x",
            "etc/fstab", "rw-r--r--",
            "etc/hostname", "rw-r--r--",
            "etc/systemd/network/20-wired.network", "rw-r--r--");

    /** The image's software version, one line; the launchers pass it on as {@code -Dportcullis.version}. */
    static final String VERSION_FILE = "usr/share/portcullis/version";

    private static final String LAUNCHER = """
            #!/bin/sh
            # The %s command, on the image's own Java runtime; show version reports the image's version.
            exec /opt/portcullis/runtime/bin/java -XX:+UseParallelGC \\
              --enable-native-access=io.netty.common,dev.portcullis.router \\
              -Dportcullis.version="$(cat /usr/share/portcullis/version 2>/dev/null)" -p /opt/portcullis/lib \\
              --add-modules ALL-MODULE-PATH -m %s "$@"
            """;

    private RootfsOverlay() {
    }

    /**
     * Stages the overlay in {@code dir}; the Java runtime is linked into it by the caller at {@link #RUNTIME}.
     *
     * @param configs the repository's {@code configs/} directory
     */
    static void stage(Path dir, Path configs, List<Path> jars, VerifyingKey key, SoftwareVersion version)
            throws IOException {
        for (Map.Entry<String, String> r : RESOURCES.entrySet()) {
            Path target = dir.resolve(r.getKey());
            Files.createDirectories(target.getParent());
            try (InputStream in = RootfsOverlay.class.getResourceAsStream("overlay/" + r.getKey())) {
                if (in == null) {
                    throw new IOException("resource overlay/" + r.getKey() + " is missing from the jar");
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(r.getValue()));
        }
        Path units = Files.createDirectories(dir.resolve("etc/systemd/system"));
        copyTree(configs.resolve("systemd"), units);
        copyTree(configs.resolve("appliance"), Files.createDirectories(dir.resolve(DEFAULT_CONFIG)));
        Path lib = Files.createDirectories(dir.resolve(LIB));
        for (Path j : jars) {
            Files.copy(j, lib.resolve(j.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Path bin = Files.createDirectories(dir.resolve("usr/bin"));
        launcher(bin.resolve("portcullis"), "portcullis", "dev.portcullis.appliance/dev.portcullis.appliance.Main");
        launcher(bin.resolve("portcullis-image"), "portcullis-image",
                "dev.portcullis.image/dev.portcullis.image.ImageMain");
        key.write(dir.resolve(PUBLIC_KEY));
        Files.writeString(dir.resolve(VERSION_FILE), version + "\n");
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("efi"));
    }

    private static void launcher(Path file, String name, String module) throws IOException {
        Files.writeString(file, LAUNCHER.formatted(name, module));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new IOException(from + " is missing: the build reads the repository's configs/ directory");
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted().toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}
