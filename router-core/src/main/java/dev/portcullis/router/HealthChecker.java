package dev.portcullis.router;

import dev.portcullis.policy.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one service's endpoints with a TCP connect every interval, and takes them out of rotation and back.
 *
 * <pre>{@code
 * HealthChecker checker = new HealthChecker(endpoints, workers, EpollSocketChannel.class, service.healthCheck(),
 *         (endpoint, up) -> { log...; count...; selector.healthChanged(); });
 * checker.start();
 * ...
 * checker.close();
 * }</pre>
 *
 * <p>Each endpoint has a probe pinned to one event loop of the group, which owns its {@link HealthState}: a probe
 * connects (timing out after the configured timeout), closes the channel at once whatever the outcome, feeds the
 * result to the state and, on a flip, calls {@link Endpoint#healthy(boolean)} and then the listener, on that event
 * loop. The next check starts one interval after the previous one started, or at once if it took longer. First
 * checks are spread over the first interval. The state starts from the endpoint's flag, so an endpoint that a
 * previous checker took down (the service runtime keeps endpoints across reloads) comes back after {@code rise}
 * successes.
 *
 * <p>With checks disabled, {@link #start()} schedules nothing and puts any endpoint that is down back up (nothing
 * else would), reporting those flips to the listener on the calling thread.
 */
public final class HealthChecker implements AutoCloseable {

    /** Told of each flip after the endpoint's flag changed; runs on an event loop, so it must not block. */
    @FunctionalInterface
    public interface Listener {
        void healthChanged(Endpoint endpoint, boolean up);
    }

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final List<Endpoint> endpoints;
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final HealthCheck config;
    private final Listener listener;
    private final long intervalNanos;

    /** Channels registered and not yet unregistered: zero after {@link #close()} once the loops have caught up. */
    private final AtomicInteger openChannels = new AtomicInteger();
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicBoolean warned = new AtomicBoolean();

    /** Set once by {@link #close()}; probes read it before every step. */
    private volatile boolean closed;
    /** Guarded by this. */
    private boolean started;
    /** Guarded by this; filled by {@link #start()}. */
    private final List<Probe> probes = new ArrayList<>();

    public HealthChecker(List<Endpoint> endpoints, EventLoopGroup group, Class<? extends SocketChannel> channelClass,
            HealthCheck config, Listener listener) {
        this.endpoints = List.copyOf(endpoints);
        this.group = Objects.requireNonNull(group, "group");
        this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.intervalNanos = config.interval().toNanos();
    }

    /**
     * Starts the checks.
     *
     * @throws IllegalStateException if started twice or after {@link #close()}
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("health checker for " + endpoints
                    + (closed ? " is closed" : " started twice"));
        }
        started = true;
        if (!config.enabled()) {
            for (Endpoint e : endpoints) {
                if (e.healthy(true)) {
                    report(e, true);
                }
            }
            return;
        }
        int timeoutMillis = Math.clamp(config.timeout().toMillis(), 1, Integer.MAX_VALUE);
        Bootstrap base = new Bootstrap()
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new Tracker());
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            EventLoop loop = group.next();
            Probe p = new Probe(endpoints.get(i), loop, base.clone(loop));
            probes.add(p);
            long delay = intervalNanos / n * i;
            loop.execute(() -> p.schedule(delay));
        }
    }

    /** Cancels every check and closes channels in flight; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Probe p : probes) {
            try {
                p.loop.execute(p::stop);
            } catch (RejectedExecutionException e) {
                // The loop is shutting down and closes its channels itself.
            }
        }
    }

    /** Channels open now; for tests. */
    int openChannels() {
        return openChannels.get();
    }

    /** Successful checks so far. */
    public long successes() {
        return successes.sum();
    }

    /** Failed checks so far (refused, timed out or otherwise). */
    public long failures() {
        return failures.sum();
    }

    /**
     * Refused and timed-out connects are what checks are for; any other failure (a channel class that does not fit
     * the group, say) is a fault of the setup, warned about once per checker.
     */
    private void noteFailure(Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("operationComplete: check failed: {}", cause.toString());
        } else if (!warned.getAndSet(true)) {
            log.warn("operationComplete: health check could not run; endpoints will go down", cause);
        }
    }

    private void report(Endpoint e, boolean up) {
        try {
            listener.healthChanged(e, up);
        } catch (RuntimeException ex) {
            log.warn("report: listener failed on {} going {}", e.address(), up ? "up" : "down", ex);
        }
    }

    /** Counts registered channels; shared by all. */
    @ChannelHandler.Sharable
    private final class Tracker extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            openChannels.incrementAndGet();
            ctx.fireChannelRegistered();
        }

        @Override
        public void channelUnregistered(ChannelHandlerContext ctx) {
            openChannels.decrementAndGet();
            ctx.fireChannelUnregistered();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset after connecting: the check already counted as a success
        }
    }

    /** The checks of one endpoint. Every field but the final ones is confined to {@code loop}. */
    private final class Probe implements ChannelFutureListener {
        final Endpoint endpoint;
        final EventLoop loop;
        final Bootstrap bootstrap;
        final HealthState state;
        ScheduledFuture<?> next;
        Channel inFlight;
        long startedNanos;

        Probe(Endpoint endpoint, EventLoop loop, Bootstrap bootstrap) {
            this.endpoint = endpoint;
            this.loop = loop;
            this.bootstrap = bootstrap;
            this.state = new HealthState(config.rise(), config.fall(), endpoint.healthy());
        }

        void schedule(long delayNanos) {
            if (!closed) {
                next = loop.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        void check() {
            if (closed) {
                return;
            }
            startedNanos = System.nanoTime();
            ChannelFuture f = bootstrap.connect(endpoint.socketAddress());
            inFlight = f.channel();
            f.addListener(this);
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            f.channel().close();
            if (inFlight == f.channel()) {
                inFlight = null;
            }
            if (closed) {
                return;
            }
            boolean flipped;
            if (f.isSuccess()) {
                successes.increment();
                flipped = state.success();
            } else {
                failures.increment();
                flipped = state.failure();
                noteFailure(f.cause());
            }
            if (flipped) {
                boolean up = state.up();
                endpoint.healthy(up);
                report(endpoint, up);
            }
            long elapsed = System.nanoTime() - startedNanos;
            schedule(Math.max(0, intervalNanos - elapsed));
        }

        void stop() {
            if (next != null) {
                next.cancel(false);
            }
            if (inFlight != null) {
                inFlight.close();
                inFlight = null;
            }
        }
    }
}
