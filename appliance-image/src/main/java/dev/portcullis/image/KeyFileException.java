package dev.portcullis.image;

/** A key file is not what it must be (not PEM, not Ed25519, wrong kind of key); the message names the file. */
public final class KeyFileException extends Exception {

    private static final long serialVersionUID = 1L;

    public KeyFileException(String message) {
        super(message);
    }
}
