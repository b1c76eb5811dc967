package dev.portcullis.router;

/** The data plane could not do what was asked (for example, a listener could not be bound); nothing changed. */
public final class DataPlaneException extends Exception {

    private static final long serialVersionUID = 1L;

    public DataPlaneException(String message, Throwable cause) {
        super(message, cause);
    }
}
