package dev.portcullis.image;

/** Flashing is refused or failed; the message names the target and why. */
public final class FlashException extends Exception {

    private static final long serialVersionUID = 1L;

    public FlashException(String message) {
        super(message);
    }
}
