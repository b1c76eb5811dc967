/** Portcullis data plane: listeners, admission by policy, endpoint selection, proxying, health checks, limits. */
module dev.portcullis.router {
    requires transitive dev.portcullis.policy;
    requires transitive io.netty.buffer; // ProxyProtocolV2 takes and returns ByteBufs
    requires io.netty.common;
    requires io.netty.handler;
    requires transitive io.netty.transport; // HealthChecker takes an EventLoopGroup and a SocketChannel class
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.unix.common;
    requires org.slf4j;

    exports dev.portcullis.router;
}
