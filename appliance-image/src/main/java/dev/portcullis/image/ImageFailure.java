package dev.portcullis.image;

/** A command cannot go on: printed as {@code portcullis-image: MESSAGE}, and the command exits with the code. */
final class ImageFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    ImageFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
