package dev.portcullis.router;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpProtocols;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP listener with its flow table. The first datagram from a client address starts a flow: it is classified,
 * admitted within the service's limits, given an endpoint (checked against the ClusterIP guard) and a socket
 * connected to it. Later datagrams of the flow go straight to that socket; the endpoint's replies go back to the
 * client from the listener's own socket, so they come from the listener's address.
 *
 * <p>A denied flow is remembered too, so a client that keeps sending is refused without reclassifying each
 * datagram. Flows expire after their service's idle timeout (denied ones after {@link #DENIED_TTL_NANOS}). The
 * table is bounded: when full, the least recently active flow is evicted if it has been silent for at least
 * {@link #EVICTABLE_AFTER_NANOS}; otherwise the new flow is refused ({@link RefusalReason#FLOW_TABLE_FULL}).
 *
 * <p>Threading: the listener channel and every flow's endpoint socket run on one event loop, which alone touches
 * the table; no locks.
 */
final class UdpListener implements Listener {

    private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

    static final long DENIED_TTL_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long EVICTABLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Datagrams held per flow while its endpoint socket is being set up. */
    static final int PENDING_LIMIT = 32;

    private final ListenerKey key;
    private final Channel channel;
    private final ScheduledFuture<?> sweeper;
    private final FlowTable table;

    private UdpListener(ListenerKey key, Channel channel, FlowTable table) {
        this.key = key;
        this.channel = channel;
        this.table = table;
        this.sweeper = channel.eventLoop().scheduleAtFixedRate(table::sweep, 1, 1, TimeUnit.SECONDS);
    }

    static UdpListener bind(DataPlane plane, EventLoopGroup group, ListenerKey key) throws InterruptedException {
        FlowTable table = new FlowTable(plane, key);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(plane.transport().datagramChannel())
                .option(ChannelOption.ALLOCATOR, NettyTransport.allocator())
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(table);
        Channel ch = b.bind(Endpoint.socketAddress(key.address())).sync().channel();
        table.listenerChannel = ch;
        return new UdpListener(key, ch, table);
    }

    @Override
    public ListenerKey key() {
        return key;
    }

    @Override
    public void close() {
        sweeper.cancel(false);
        channel.eventLoop().submit(table::closeAll).syncUninterruptibly();
        channel.close().syncUninterruptibly();
    }

    /** Asks the listener's loop to end flows the current state no longer allows (after a reload). */
    void recheck(boolean closeDenied) {
        channel.eventLoop().execute(() -> table.recheck(closeDenied));
    }

    /** One flow: a client address and, when admitted, its endpoint socket. */
    private static final class Flow {
        final InetSocketAddress client;
        final IpAddress clientIp;
        final ServiceRuntime service;
        final Endpoint endpoint;
        Channel backend;
        ArrayDeque<ByteBuf> pending;
        long lastSeen;

        Flow(InetSocketAddress client, IpAddress clientIp, ServiceRuntime service, Endpoint endpoint, long now) {
            this.client = client;
            this.clientIp = clientIp;
            this.service = service;
            this.endpoint = endpoint;
            this.lastSeen = now;
        }

        boolean denied() {
            return service == null;
        }
    }

    /** The listener channel's handler and the flow table it keeps. */
    private static final class FlowTable extends SimpleChannelInboundHandler<DatagramPacket> {
        private final DataPlane plane;
        private final ListenerKey key;
        private final LinkedHashMap<InetSocketAddress, Flow> flows = new LinkedHashMap<>(1024, 0.75f, true);
        Channel listenerChannel;

        FlowTable(DataPlane plane, ListenerKey key) {
            super(false);
            this.plane = plane;
            this.key = key;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            long now = System.nanoTime();
            InetSocketAddress sender = packet.sender();
            Flow flow = flows.get(sender);
            if (flow == null) {
                flow = start(packet, sender, now);
                if (flow == null) {
                    packet.release();
                    return;
                }
            }
            flow.lastSeen = now;
            if (flow.denied()) {
                packet.release();
                return;
            }
            ByteBuf content = packet.content();
            flow.service.counters().addBytesIn(content.readableBytes());
            flow.endpoint.addBytesToEndpoint(content.readableBytes());
            if (flow.backend != null && flow.backend.isActive()) {
                flow.backend.writeAndFlush(content);
            } else if (flow.pending != null && flow.pending.size() < PENDING_LIMIT) {
                flow.pending.add(content);
            } else {
                packet.release();
            }
        }

        /** Classifies and admits a new flow; null when the table is full. The flow is in the table on return. */
        private Flow start(DatagramPacket packet, InetSocketAddress sender, long now) {
            if (flows.size() >= plane.settings().maxUdpFlowsPerListener() && !evictOne(now)) {
                plane.counters().refused(null, RefusalReason.FLOW_TABLE_FULL);
                return null;
            }
            RouterState state = plane.stateFor(key);
            InetSocketAddress local = packet.recipient() != null ? packet.recipient()
                    : (InetSocketAddress) listenerChannel.localAddress();
            IpAddress clientIp = Flows.ipAddress(sender.getAddress());
            Action action = Flows.classify(plane, state, key, IpProtocols.UDP, sender, local, clientIp);
            ServiceRuntime service = state.listeners().get(key);
            if (action != Action.ACCEPT) {
                return remember(new Flow(sender, clientIp, null, null, now));
            }
            if (service == null) {
                plane.counters().refused(null, RefusalReason.NO_HEALTHY_ENDPOINT);
                return remember(new Flow(sender, clientIp, null, null, now));
            }
            ServiceCounters sc = service.counters();
            RefusalReason limited = service.limits().tryAdmit(clientIp, System.nanoTime());
            if (limited != null) {
                plane.counters().refused(sc, limited);
                return remember(new Flow(sender, clientIp, null, null, now));
            }
            Endpoint e = service.selector().select(EndpointSelector.hashClient(clientIp));
            RefusalReason refused = e == null ? RefusalReason.NO_HEALTHY_ENDPOINT
                    : state.guard().refuses(e.socketAddress().getAddress()) ? RefusalReason.CLUSTER_IP_GUARD : null;
            if (refused != null) {
                if (refused == RefusalReason.CLUSTER_IP_GUARD) {
                    LOG.error("start: refusing endpoint {} of service {}: it lies in a service CIDR (ClusterIP guard)",
                            e.address(), service.name());
                }
                service.limits().release(clientIp);
                plane.counters().refused(sc, refused);
                return remember(new Flow(sender, clientIp, null, null, now));
            }
            Flow flow = remember(new Flow(sender, clientIp, service, e, now));
            flow.pending = new ArrayDeque<>(4);
            e.opened();
            service.counters().opened();
            Bootstrap b = new Bootstrap()
                    .group(listenerChannel.eventLoop())
                    .channel(plane.transport().datagramChannel())
                .option(ChannelOption.ALLOCATOR, NettyTransport.allocator())
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new Replies(FlowTable.this, flow));
                        }
                    });
            b.connect(e.socketAddress()).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess() || flows.get(flow.client) != flow) {
                    f.channel().close();
                    if (!f.isSuccess()) {
                        e.connectFailed();
                        plane.counters().refused(sc, RefusalReason.CONNECT_FAILED);
                        end(flow);
                    }
                    return;
                }
                flow.backend = f.channel();
                ArrayDeque<ByteBuf> queued = flow.pending;
                flow.pending = null;
                for (ByteBuf buf : queued) {
                    flow.backend.write(buf);
                }
                flow.backend.flush();
            });
            return flow;
        }

        private Flow remember(Flow flow) {
            flows.put(flow.client, flow);
            return flow;
        }

        /** Evicts the least recently active flow if it has been silent long enough. */
        private boolean evictOne(long now) {
            Iterator<Map.Entry<InetSocketAddress, Flow>> it = flows.entrySet().iterator();
            if (!it.hasNext()) {
                return false;
            }
            Flow eldest = it.next().getValue();
            if (!eldest.denied() && now - eldest.lastSeen < EVICTABLE_AFTER_NANOS) {
                return false;
            }
            end(eldest);
            return true;
        }

        /** Removes a flow and undoes what it counted. */
        private void end(Flow flow) {
            if (flows.get(flow.client) == flow) {
                flows.remove(flow.client);
            }
            if (flow.denied()) {
                return;
            }
            if (flow.pending != null) {
                flow.pending.forEach(ByteBuf::release);
                flow.pending = null;
            }
            if (flow.backend != null) {
                flow.backend.close();
            }
            flow.endpoint.closed();
            flow.service.counters().closed();
            flow.service.limits().release(flow.clientIp);
        }

        void sweep() {
            long now = System.nanoTime();
            for (Flow f : flows.values().toArray(new Flow[0])) {
                long ttl = f.denied() ? DENIED_TTL_NANOS : f.service.service().timeouts().idle().toNanos();
                if (now - f.lastSeen >= ttl) {
                    end(f);
                }
            }
        }

        void recheck(boolean closeDenied) {
            RouterState state = plane.stateFor(key);
            for (Flow f : flows.values().toArray(new Flow[0])) {
                if (f.denied()) {
                    end(f); // a denied flow is decided afresh with the new policy
                    continue;
                }
                boolean guarded = state.guard().refuses(f.endpoint.socketAddress().getAddress());
                boolean gone = state.listeners().get(key) == null;
                boolean denied = closeDenied && state.policy().action(Flows.match(state.policy(), f.clientIp,
                        key.address().address(), f.client.getPort(), key.address().port(), IpProtocols.UDP))
                        != Action.ACCEPT;
                if (guarded || gone || denied) {
                    end(f);
                }
            }
        }

        void closeAll() {
            for (Flow f : flows.values().toArray(new Flow[0])) {
                end(f);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("exceptionCaught: UDP listener {}: {}", key, cause.toString());
        }
    }

    /** Carries an endpoint's replies back to the client through the listener socket. */
    private static final class Replies extends SimpleChannelInboundHandler<DatagramPacket> {
        private final FlowTable table;
        private final Flow flow;

        Replies(FlowTable table, Flow flow) {
            super(false);
            this.table = table;
            this.flow = flow;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
            ByteBuf content = reply.content();
            flow.lastSeen = System.nanoTime();
            flow.service.counters().addBytesOut(content.readableBytes());
            flow.endpoint.addBytesFromEndpoint(content.readableBytes());
            table.listenerChannel.writeAndFlush(new DatagramPacket(content, flow.client));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // An ICMP port unreachable from the endpoint surfaces here on a connected socket: end the flow.
            LOG.debug("exceptionCaught: flow {} -> {}: {}", flow.client, flow.endpoint.address(), cause.toString());
            table.end(flow);
        }
    }
}
