package dev.portcullis.monitoring;

/** Monitoring could not start (an address could not be bound, a stored hash is unusable); nothing is left running. */
public final class MonitoringException extends Exception {

    private static final long serialVersionUID = 1L;

    public MonitoringException(String message, Throwable cause) {
        super(message, cause);
    }
}
