package dev.portcullis.monitoring;

/**
 * Where notifications go once they passed the rate limit, e.g. the SNMP agent's trap sender.
 *
 * <p>Threading: called on the notifications thread only, one notification at a time; it may block briefly (a
 * datagram send), never for long.
 */
@FunctionalInterface
public interface NotificationSink {
    void send(Notification notification);
}
