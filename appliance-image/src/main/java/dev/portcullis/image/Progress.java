package dev.portcullis.image;

/**
 * Receives progress of long steps (hashing, writing a slot, flashing). Called only from the thread doing the work,
 * in the order {@code begin}, any number of {@code advance}, {@code end}.
 */
public interface Progress {

    /** A step of {@code totalBytes} bytes (0 when unknown) begins. */
    void begin(String step, long totalBytes);

    /** {@code bytes} more bytes are done. */
    void advance(long bytes);

    /** The step is done. */
    void end();

    /** Progress that is not shown. */
    static Progress none() {
        return new Progress() {
            @Override
            public void begin(String step, long totalBytes) {
            }

            @Override
            public void advance(long bytes) {
            }

            @Override
            public void end() {
            }
        };
    }
}
