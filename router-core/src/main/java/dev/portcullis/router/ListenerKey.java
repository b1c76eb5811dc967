package dev.portcullis.router;

import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.Transport;

/** A listener's identity: its address and port, and its transport. */
public record ListenerKey(HostPort address, Transport transport) {

    @Override
    public String toString() {
        return address + "/" + transport.word();
    }
}
