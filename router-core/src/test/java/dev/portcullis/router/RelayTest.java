package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.Location;
import dev.portcullis.policy.Service;
import dev.portcullis.policy.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay's rules on Netty's EmbeddedChannel: what it forwards, when it asks for more, what ends it. */
class RelayTest {

    private final List<ProxiedConnection> registered = new ArrayList<>();
    private EmbeddedChannel front;
    private EmbeddedChannel back;
    private ProxiedConnection conn;

    @BeforeEach
    void wire() {
        Service s = Service.of("web", List.of(HostPort.parse("203.0.113.10:443")), Transport.TCP,
                List.of(HostPort.parse("10.244.1.5:8443")), new Location("p.yaml", 1, 1));
        IpAddress clientIp = IpAddress.parse("198.51.100.7");
        AdmissionLimits limits = new AdmissionLimits(s.limits(), new AtomicInteger(), 0);
        assertThat(limits.tryAdmit(clientIp, 0)).isNull();
        ServiceRuntime rt = new ServiceRuntime(s, List.of(new Endpoint(s.endpoints().getFirst())), limits,
                new ServiceCounters("web"));
        front = new EmbeddedChannel();
        back = new EmbeddedChannel();
        front.config().setAutoRead(false); // as the listener and the endpoint side run
        back.config().setAutoRead(false);
        ChannelSides sides = new ChannelSides(front);
        conn = new ProxiedConnection(new ProxiedConnection.ConnectionRegistry() {
            @Override
            public void register(ProxiedConnection c) {
                registered.add(c);
            }

            @Override
            public void unregister(ProxiedConnection c) {
                registered.remove(c);
            }
        }, sides, new ListenerKey(s.listen().getFirst(), Transport.TCP), new InetSocketAddress("198.51.100.7", 40000),
                new InetSocketAddress("203.0.113.10", 443), clientIp, rt);
        sides.established(back);
        conn.established(rt.endpoints().getFirst());
        front.pipeline().addLast(new Relay(back, Relay.Direction.INBOUND, conn));
        back.pipeline().addLast(new Relay(front, Relay.Direction.OUTBOUND, conn));
    }

    @Test
    void channelRead_clientBytes_forwardedAsIsAndFlushedAtReadComplete() {
        ByteBuf chunk = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII);
        front.pipeline().fireChannelRead(chunk);
        assertThat((Object) back.readOutbound()).as("written, not yet flushed").isNull();
        front.pipeline().fireChannelReadComplete();
        ByteBuf out = back.readOutbound();
        assertThat(out).isSameAs(chunk); // the same buffer: no copy
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n");
        out.release();
        assertThat(conn.service.counters().bytesIn()).isEqualTo(16);
        assertThat(registered).containsExactly(conn);
    }

    /** Invariant: this side reads only while the other side can take more; memory per direction stays bounded. */
    @Test
    void channelRead_otherSideOverHighWaterMark_pausesReadingUntilItDrains() {
        back.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(8, 16));
        front.config().setAutoRead(true);
        front.pipeline().fireChannelRead(Unpooled.copiedBuffer(new byte[32]));
        assertThat(back.isWritable()).isFalse();
        assertThat(front.config().isAutoRead()).as("paused: the endpoint side is full").isFalse();
        front.pipeline().fireChannelReadComplete(); // flush: the queue drains, the endpoint side is writable again
        assertThat(back.isWritable()).isTrue();
        assertThat(front.config().isAutoRead()).as("resumed").isTrue();
        ((ByteBuf) back.readOutbound()).release();
    }

    @Test
    void channelRead_endpointBytes_goBackToTheClientAndCountOut() {
        back.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n", StandardCharsets.US_ASCII));
        ByteBuf out = front.readOutbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK\r\n");
        out.release();
        assertThat(conn.service.counters().bytesOut()).isEqualTo(17);
    }

    @Test
    void userEvent_finOnlyAfterReadComplete_thenCloseOnNonDuplexPeer() {
        front.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(back.isOpen()).as("a FIN alone may precede unread bytes: nothing ends yet").isTrue();
        front.writeInbound(Unpooled.copiedBuffer("tail", StandardCharsets.US_ASCII));
        ByteBuf tail = back.readOutbound();
        assertThat(tail.toString(StandardCharsets.US_ASCII)).isEqualTo("tail");
        tail.release();
        front.pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        back.runPendingTasks();
        front.runPendingTasks();
        // EmbeddedChannel cannot half-close, so the relay closes both sides and releases what it counted.
        assertThat(back.isOpen()).isFalse();
        assertThat(front.isOpen()).isFalse();
        assertThat(registered).isEmpty();
        assertThat(conn.service.limits().active()).isZero();
        assertThat(conn.service.endpoints().getFirst().active()).isZero();
    }

    @Test
    void channelInactive_eitherSide_closesBothOnce() {
        back.close();
        front.runPendingTasks();
        assertThat(front.isOpen()).isFalse();
        assertThat(conn.service.counters().active()).isZero();
        conn.close(); // idempotent: nothing is released twice
        assertThat(conn.service.limits().active()).isZero();
    }
}
