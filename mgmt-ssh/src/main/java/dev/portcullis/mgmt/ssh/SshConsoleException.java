package dev.portcullis.mgmt.ssh;

/** The SSH console cannot start: the message says why (a user's key, a host key file, the port). */
public final class SshConsoleException extends Exception {

    private static final long serialVersionUID = 1L;

    public SshConsoleException(String message) {
        super(message);
    }

    public SshConsoleException(String message, Throwable cause) {
        super(message, cause);
    }
}
