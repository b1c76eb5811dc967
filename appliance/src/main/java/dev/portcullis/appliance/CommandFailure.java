package dev.portcullis.appliance;

/** A command cannot go on: the message is printed as {@code portcullis: MESSAGE} and the command exits with code. */
final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
