package dev.portcullis.router;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every {@link DataPlaneTest} again with TCP relayed through Netty channels on epoll ({@code portcullis.tcp=channels}). */
class DataPlaneOnChannelsTest extends DataPlaneTest {

    @Override
    NettyTransport transport() {
        assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "native epoll unavailable");
        return NettyTransport.epoll(false);
    }
}
