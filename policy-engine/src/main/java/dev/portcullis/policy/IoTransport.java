package dev.portcullis.policy;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kernel interface the data plane's event loops use ({@code dataPlane.transport} in {@code appliance.yaml}).
 * Where the one asked for is unavailable, the data plane falls back (io_uring to epoll, epoll to NIO) and says so
 * in the log.
 */
public enum IoTransport {
    /** Linux epoll, sockets driven directly on the event loops: the default. */
    EPOLL("epoll"),
    /** Linux io_uring: receives, sends, connects and closes batched through each loop's submission ring. */
    IO_URING("io_uring"),
    /** Java NIO: portable, and the slowest. */
    NIO("nio");

    private final String word;

    IoTransport(String word) {
        this.word = word;
    }

    /** The name used in {@code appliance.yaml}. */
    public String word() {
        return word;
    }

    /** The transport named {@code word}, if any. */
    public static Optional<IoTransport> ofWord(String word) {
        return Arrays.stream(values()).filter(t -> t.word.equals(word)).findFirst();
    }
}
