package dev.portcullis.router;

/** Every {@link DataPlaneTest} again on the NIO transport (where native epoll is unavailable, or asked for). */
class DataPlaneOnNioTest extends DataPlaneTest {

    @Override
    NettyTransport transport() {
        return NettyTransport.nio();
    }
}
