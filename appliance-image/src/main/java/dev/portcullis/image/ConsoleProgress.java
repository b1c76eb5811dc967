package dev.portcullis.image;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on a terminal: a bar redrawn in place ({@code \r}) at most five times a second when interactive, else a
 * line at every tenth of the way; bytes in MiB and the rate. Single-threaded, like {@link Progress}.
 */
public final class ConsoleProgress implements Progress {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean interactive;
    private String step = "";
    private long total;
    private long done;
    private long started;
    private long lastDraw;
    private int lastTenth;

    public ConsoleProgress(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void begin(String step, long totalBytes) {
        this.step = step;
        this.total = totalBytes;
        this.done = 0;
        this.started = System.nanoTime();
        this.lastDraw = 0;
        this.lastTenth = -1;
        draw(false);
    }

    @Override
    public void advance(long bytes) {
        done += bytes;
        draw(false);
    }

    @Override
    public void end() {
        draw(true);
        if (interactive) {
            out.println();
        }
        out.flush();
    }

    private void draw(boolean last) {
        long now = System.nanoTime();
        int tenth = total > 0 ? (int) (done * 10 / total) : 0;
        if (interactive && !last && now - lastDraw < 200_000_000L) {
            return;
        }
        if (!interactive && tenth == lastTenth && (!last || total > 0 && done >= total)) {
            return;
        }
        lastDraw = now;
        lastTenth = tenth;
        double seconds = Math.max((now - started) / 1e9, 1e-3);
        String rate = String.format(Locale.ROOT, "%.1f MiB/s", done / DiskLayout.MIB / seconds);
        String line;
        if (total > 0) {
            int filled = (int) (WIDTH * Math.min(done, total) / total);
            line = String.format(Locale.ROOT, "%-32s [%s%s] %3d%%  %d/%d MiB  %s", step, "#".repeat(filled),
                    ".".repeat(WIDTH - filled), done * 100 / total, done / DiskLayout.MIB, total / DiskLayout.MIB,
                    rate);
        } else {
            line = String.format(Locale.ROOT, "%-32s %d MiB  %s", step, done / DiskLayout.MIB, rate);
        }
        if (interactive) {
            out.print("\r" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }
}
