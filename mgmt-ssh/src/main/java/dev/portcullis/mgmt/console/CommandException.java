package dev.portcullis.mgmt.console;

/** A console command could not run; the message says why, for the operator. */
public final class CommandException extends Exception {

    private static final long serialVersionUID = 1L;

    public CommandException(String message) {
        super(message);
    }
}
