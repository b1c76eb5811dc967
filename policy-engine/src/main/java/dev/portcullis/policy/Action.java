package dev.portcullis.policy;

/** What happens to a flow a rule matches. */
public enum Action {
    /** Let the flow in: the data plane picks an endpoint and relays it. */
    ACCEPT,
    /** Discard silently: a TCP connection is closed at once, a datagram is dropped. */
    DROP,
    /** Refuse visibly: a TCP connection is reset; a datagram is dropped (no ICMP is forged by a proxy). */
    REJECT;

    /** The word used in policy files: {@code accept}, {@code drop}, {@code reject}. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
