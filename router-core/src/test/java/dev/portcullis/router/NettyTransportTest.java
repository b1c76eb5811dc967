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
}
