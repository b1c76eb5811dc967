package dev.portcullis.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs the system tools the image is made with (sfdisk, mkfs.*, mtools, mmdebstrap, jlink, git). A tool is looked
 * up on {@code PATH} and then in {@code /usr/sbin} and {@code /sbin}, where Debian puts sfdisk and mkfs for users
 * whose {@code PATH} lacks them. A failure is an {@link ExecException} with the command and the end of its error
 * output.
 */
final class Exec {

    /** What a finished command printed. */
    record Result(int exit, String out, String err) {
    }

    /** A command failed or could not start; the message holds the command line and its last error lines. */
    static final class ExecException extends IOException {
        private static final long serialVersionUID = 1L;

        ExecException(String message) {
            super(message);
        }
    }

    private static final List<Path> EXTRA = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private Exec() {
    }

    static Optional<Path> find(String tool) {
        if (tool.contains("/")) {
            return Files.isExecutable(Path.of(tool)) ? Optional.of(Path.of(tool)) : Optional.empty();
        }
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        dirs.addAll(EXTRA);
        return dirs.stream().map(d -> d.resolve(tool)).filter(Files::isExecutable).findFirst();
    }

    static boolean onPath(String tool) {
        return find(tool).isPresent();
    }

    /** The tool's path, or an {@link ExecException} naming the Debian package that has it. */
    static String require(String tool, String debianPackage) throws ExecException {
        return find(tool).map(Path::toString).orElseThrow(() -> new ExecException(tool + " is not installed "
                + "(Debian package " + debianPackage + ")"));
    }

    static Result run(List<String> command, Map<String, String> env, byte[] stdin) throws IOException {
        List<String> cmd = resolved(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ExecException(String.join(" ", command) + ": could not start: " + e.getMessage());
        }
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException ignored) {
                // The command exited without reading all of its input; its exit code tells the story.
            }
        });
        byte[][] errBytes = new byte[1][];
        Thread err = Thread.ofVirtual().start(() -> {
            try {
                errBytes[0] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                errBytes[0] = new byte[0];
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int code = p.waitFor();
            err.join();
            feeder.join();
            return new Result(code, out, new String(errBytes[0], StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ExecException(String.join(" ", command) + ": interrupted");
        }
    }

    /** Runs the command and returns its standard output; a non-zero exit is an {@link ExecException}. */
    static String check(List<String> command) throws IOException {
        return check(command, Map.of(), new byte[0]);
    }

    static String check(List<String> command, Map<String, String> env, byte[] stdin) throws IOException {
        Result r = run(command, env, stdin);
        if (r.exit() != 0) {
            throw new ExecException(String.join(" ", command) + ": exit " + r.exit() + ": " + tail(r.err()
                    .isBlank() ? r.out() : r.err()));
        }
        return r.out();
    }

    /**
     * Runs a long command, passing each line of its output (standard output and error together) to {@code lines} as
     * it comes; a non-zero exit is an {@link ExecException} with the last lines.
     */
    static void stream(List<String> command, Map<String, String> env, Path dir, Consumer<String> lines)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(resolved(command)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> last = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.accept(line);
                last.add(line);
                if (last.size() > 20) {
                    last.removeFirst();
                }
            }
        }
        try {
            int code = p.waitFor();
            if (code != 0) {
                throw new ExecException(String.join(" ", command) + ": exit " + code + ": " + String.join("\n", last));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ExecException(String.join(" ", command) + ": interrupted");
        }
    }

    private static List<String> resolved(List<String> command) {
        List<String> cmd = new ArrayList<>(command);
        find(cmd.getFirst()).ifPresent(p -> cmd.set(0, p.toString()));
        return cmd;
    }

    private static String tail(String text) {
        String[] lines = text.strip().split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 8), lines.length));
    }
}
