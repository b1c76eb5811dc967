package dev.portcullis.image;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the repository from a test's working directory (the module directory under Maven). */
final class CommandLineRepo {

    private CommandLineRepo() {
    }

    static Path file(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
