package dev.portcullis.image;

import java.io.IOException;

/** Restarts the machine. */
@FunctionalInterface
public interface Reboot {

    void reboot() throws IOException;

    /** {@code systemctl reboot}: an orderly reboot (services stop, file systems unmount). */
    static Reboot systemctl() {
        return () -> {
            Process p = new ProcessBuilder("systemctl", "reboot").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            try {
                if (p.waitFor() != 0) {
                    throw new IOException("systemctl reboot failed (exit " + p.exitValue() + "): " + out.strip());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking systemd to reboot", e);
            }
        };
    }
}
