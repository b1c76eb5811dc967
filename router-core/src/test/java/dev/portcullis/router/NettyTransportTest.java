package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.policy.IoTransport;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyTransportTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty("portcullis.transport");
    }

    @Test
    void named_eachTransport_runsOnItWhereAvailable() {
        assumeTrue(Epoll.isAvailable() && IoUring.isAvailable(), "native epoll or io_uring unavailable");
        assertThat(NettyTransport.named("epoll").tcp()).isEqualTo(NettyTransport.TcpPath.EPOLL_DIRECT);
        assertThat(NettyTransport.named("io_uring").tcp()).isEqualTo(NettyTransport.TcpPath.IO_URING);
        assertThat(NettyTransport.named("nio").tcp()).isEqualTo(NettyTransport.TcpPath.CHANNELS);
        assertThat(NettyTransport.named("io_uring").name()).isEqualTo("io_uring");
    }

    @Test
    void named_unknownWord_refusedWithTheChoices() {
        assertThatThrownBy(() -> NettyTransport.named("dpdk"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown transport 'dpdk': expected epoll, io_uring or nio");
    }

    @Test
    void configured_noProperty_theConfiguredOne() {
        assertThat(NettyTransport.configured(IoTransport.NIO).name()).isEqualTo("nio");
    }

    @Test
    void configured_propertyNamesAnother_thePropertyWins() {
        System.setProperty("portcullis.transport", "nio");
        assertThat(NettyTransport.configured(IoTransport.EPOLL).name()).isEqualTo("nio");
    }

    @Test
    void configured_propertyUnknown_ignoredForTheConfiguredOne() {
        System.setProperty("portcullis.transport", "fast");
        assertThat(NettyTransport.configured(IoTransport.NIO).name()).isEqualTo("nio");
    }

    @Test
    void newGroup_anyTransport_loopThreadsNamedByIndex() throws Exception {
        io.netty.channel.EventLoopGroup group = NettyTransport.named("nio").newGroup(2);
        try {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (io.netty.util.concurrent.EventExecutor loop : group) {
                names.add(loop.submit(() -> Thread.currentThread().getName()).get());
            }
            assertThat(names).containsExactly("data-plane-loop-0", "data-plane-loop-1");
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
