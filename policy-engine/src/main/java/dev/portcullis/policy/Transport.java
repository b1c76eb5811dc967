package dev.portcullis.policy;

/** The transport a service listens on. */
public enum Transport {
    TCP(6),
    UDP(17);

    private final int protocolNumber;

    Transport(int protocolNumber) {
        this.protocolNumber = protocolNumber;
    }

    /** The IP protocol number: 6 for TCP, 17 for UDP. */
    public int protocolNumber() {
        return protocolNumber;
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
