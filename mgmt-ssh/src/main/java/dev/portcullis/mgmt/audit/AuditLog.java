package dev.portcullis.mgmt.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one JSON line per {@link AuditEvent} in {@code audit.log}, appended and forced to disk before
 * {@link #write} returns, so an answered command is always on record. When the file would grow past
 * {@code maxSize} it is rotated: {@code audit.log} becomes {@code audit.1.log}, {@code audit.1.log} becomes
 * {@code audit.2.log}, and so on up to {@code audit.KEEP.log}; the oldest is removed. Restarts append to what is
 * there.
 *
 * <p>Written here rather than through the logging library so that a line is durable when the console answers,
 * and so that the console can read the file back ({@code show log audit}) knowing its exact form.
 *
 * <p>Threading: every method is synchronized; sessions write from their own threads.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    public static final String FILE_NAME = "audit.log";

    private final Path directory;
    private final Path file;
    private final long maxSize;
    private final int keep;

    /** Open on {@link #file}; replaced at each rotation. Guarded by this. */
    private FileChannel channel;
    private long size;

    /**
     * Opens (creating if needed) {@code DIRECTORY/audit.log} for appending.
     *
     * @param maxSize rotate before a line would take the file past this many bytes
     * @param keep rotated files kept
     */
    public AuditLog(Path directory, long maxSize, int keep) throws IOException {
        if (maxSize < 1024 || keep < 1) {
            throw new IllegalArgumentException("audit log maxSize " + maxSize + " (at least 1024) or keep " + keep
                    + " (at least 1) is too small");
        }
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
        this.maxSize = maxSize;
        this.keep = keep;
        Files.createDirectories(directory);
        open();
    }

    private void open() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        size = channel.size();
    }

    /** The current file. */
    public Path file() {
        return file;
    }

    /**
     * Appends the event and forces it to disk. A failure to write is logged and rethrown: the caller decides
     * whether to go on (the console refuses the command it could not record).
     */
    public synchronized void write(AuditEvent event) {
        byte[] line = (event.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (size > 0 && size + line.length > maxSize) {
                rotate();
            }
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.force(false);
            size += line.length;
        } catch (IOException e) {
            LOG.error("write: cannot write the audit log {}: {}", file, e.toString());
            throw new UncheckedIOException("cannot write the audit log " + file, e);
        }
    }

    private void rotate() throws IOException {
        channel.close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = rotated(i);
            if (Files.exists(from)) {
                Files.move(from, rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("rotate: cannot sync directory {}: {}", directory, e.toString());
        }
        open();
        LOG.info("rotate: audit log rotated at {} bytes", maxSize);
    }

    private Path rotated(int i) {
        return directory.resolve("audit." + i + ".log");
    }

    /** The last {@code n} lines, oldest first, reading into the rotated files when the current one is short. */
    public synchronized List<String> tail(int n) {
        Deque<String> out = new ArrayDeque<>();
        try {
            for (int i = 0; i <= keep && out.size() < n; i++) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(i == 0 ? file : rotated(i), StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    break;
                }
                for (int j = lines.size() - 1; j >= 0 && out.size() < n; j--) {
                    out.addFirst(lines.get(j));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file, e);
        }
        return new ArrayList<>(out);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
