package dev.portcullis.mgmt.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real OpenSSH tools (ssh, sftp, ssh-keygen) for tests, with options that make them depend on nothing in
 * the user's ~/.ssh: no config file, a known_hosts file of the test's own, no agent, batch mode.
 */
final class OpenSsh {

    /** A finished run: exit code, standard output, standard error. */
    record Run(int exit, String out, String err) {
    }

    private final Path dir;
    private final int port;

    OpenSsh(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static boolean installed() {
        return onPath("ssh") && onPath("sftp") && onPath("ssh-keygen");
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Makes an Ed25519 key pair {@code dir/NAME} with ssh-keygen; returns the public key line. */
    static String keygen(Path dir, String name) throws Exception {
        Path key = dir.resolve(name);
        Run r = run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@test", "-f",
                key.toString()), null);
        if (r.exit() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + r.err());
        }
        return Files.readString(dir.resolve(name + ".pub")).strip();
    }

    /** The options every run uses. */
    List<String> options(String key) {
        List<String> o = new ArrayList<>(List.of("-F", "/dev/null",
                "-o", "StrictHostKeyChecking=accept-new",
                "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none",
                "-o", "ConnectTimeout=10",
                "-o", "LogLevel=ERROR"));
        if (key != null) {
            o.addAll(List.of("-i", dir.resolve(key).toString()));
        }
        return o;
    }

    /** {@code ssh -p PORT OPTIONS user@127.0.0.1 [extra...] [command]}. */
    Run ssh(String user, String key, List<String> extra, String command, String stdin) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ssh", "-p", Integer.toString(port)));
        argv.addAll(options(key));
        argv.addAll(extra);
        argv.add(user + "@127.0.0.1");
        if (command != null) {
            argv.add(command);
        }
        return run(argv, stdin);
    }

    /** {@code sftp -b BATCH} with the given batch commands. */
    Run sftp(String user, String key, String batch) throws Exception {
        Path file = Files.createTempFile(dir, "sftp", ".batch");
        Files.writeString(file, batch);
        List<String> argv = new ArrayList<>(List.of("sftp", "-P", Integer.toString(port), "-b", file.toString()));
        argv.addAll(options(key));
        argv.add(user + "@127.0.0.1");
        return run(argv, null);
    }

    static Run run(List<String> argv, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().remove("SSH_AUTH_SOCK");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[][] streams = new byte[2][];
        Thread o = Thread.ofVirtual().start(() -> streams[0] = read(p.getInputStream()));
        Thread e = Thread.ofVirtual().start(() -> streams[1] = read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(argv + " did not finish in 60 s");
        }
        o.join();
        e.join();
        return new Run(p.exitValue(), new String(streams[0], StandardCharsets.UTF_8),
                new String(streams[1], StandardCharsets.UTF_8));
    }

    private static byte[] read(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
