/** Portcullis data plane: listeners, admission by policy, endpoint selection, proxying, health checks, limits. */
module dev.portcullis.router {
    requires transitive dev.portcullis.policy;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires org.slf4j;

    exports dev.portcullis.router;
}
