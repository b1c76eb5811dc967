package dev.portcullis.router;

/** A bound listener, TCP or UDP. Closing it stops new connections or flows; established ones continue. */
sealed interface Listener permits TcpListener, DirectTcpListener, UringTcpListener, UdpListener {

    ListenerKey key();

    void close();
}
