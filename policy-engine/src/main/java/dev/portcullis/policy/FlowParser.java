package dev.portcullis.policy;

/**
 * Parses the pieces of a flow typed by a person: on the command line, in a flows file, or at the console. Each
 * method throws {@link IllegalArgumentException} naming what is wrong.
 */
public final class FlowParser {

    private FlowParser() {
    }

    /** An address and an optional port: {@code 192.0.2.1}, {@code 192.0.2.1:443}, {@code [2001:db8::1]:443}. */
    public record Endpoint(IpAddress address, int port) {
        public static final int NO_PORT = -1;
    }

    public static Endpoint endpoint(String text) {
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "': missing ']'");
            }
            IpAddress a = IpAddress.parse(text.substring(1, close));
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                return new Endpoint(a, Endpoint.NO_PORT);
            }
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("'" + text + "': expected ':PORT' after ']'");
            }
            return new Endpoint(a, port(rest.substring(1)));
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return new Endpoint(IpAddress.parse(text), Endpoint.NO_PORT);
        }
        if (text.indexOf(':') != colon) {
            IpAddress a = IpAddress.parse(text); // bare IPv6 address, no port
            if (a.family() != IpFamily.V6) {
                throw new IllegalArgumentException("'" + text + "' is not ADDRESS[:PORT]");
            }
            return new Endpoint(a, Endpoint.NO_PORT);
        }
        return new Endpoint(IpAddress.parse(text.substring(0, colon)), port(text.substring(colon + 1)));
    }

    public static int port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a port number");
        }
        int p = Integer.parseInt(text);
        if (p > 65535) {
            throw new IllegalArgumentException("port " + p + " is outside 0-65535");
        }
        return p;
    }

    /** A protocol by name or number; "any" is refused since a real flow has one protocol. */
    public static int protocol(String text) {
        var p = IpProtocols.parse(text);
        if (p.isEmpty()) {
            throw new IllegalArgumentException("a flow has one protocol, not 'any'");
        }
        return p.getAsInt();
    }
}
