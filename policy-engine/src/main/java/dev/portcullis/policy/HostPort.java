package dev.portcullis.policy;

import java.util.Objects;

/** An address and a port: {@code 203.0.113.10:443} or {@code [2001:db8::10]:443}. */
public record HostPort(IpAddress address, int port) {

    public HostPort {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    /**
     * Parses {@code ADDR:PORT}, with IPv6 addresses in brackets.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static HostPort parse(String text) {
        String addr;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not [IPV6]:PORT");
            }
            addr = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port: write ADDRESS:PORT");
            }
            if (text.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 address in brackets, [ADDRESS]:PORT");
            }
            addr = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        IpAddress address = IpAddress.parse(addr);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + port + "' in '" + text + "' is not a port number");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " in '" + text + "' is outside 1-65535");
        }
        return new HostPort(address, p);
    }

    @Override
    public String toString() {
        return address.family() == IpFamily.V6 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
