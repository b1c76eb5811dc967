package dev.portcullis.router;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One established TCP connection as the console shows it: who, through which listener, to which endpoint, since
 * when. A snapshot: the connection may have ended by the time it is read.
 *
 * @param client the client's address and port
 * @param listener the address and port the client connected to
 * @param endpoint the pod endpoint it is relayed to
 */
public record ConnectionInfo(String service, InetSocketAddress client, InetSocketAddress listener,
                             InetSocketAddress endpoint, Instant since) {
}
