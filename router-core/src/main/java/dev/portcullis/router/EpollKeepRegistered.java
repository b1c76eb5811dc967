package dev.portcullis.router;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Wraps Netty's epoll I/O handler so that a channel never asks epoll for "no events", which Netty 4.2.18-4.2.20
 * handle wrongly.
 *
 * <p>The defect: when a channel's interest set becomes empty, Netty removes its file descriptor from the epoll set
 * ({@code EPOLL_CTL_DEL}) but keeps its registration marked as added, so the next interest (say EPOLLOUT, when a
 * write would block) is an {@code EPOLL_CTL_MOD} on a descriptor epoll no longer knows: {@code ENOENT}, the write
 * fails and Netty shuts the output. A relayed connection reaches the empty set exactly when its client has
 * half-closed (EPOLLIN and EPOLLRDHUP cleared) and nothing is queued (no EPOLLOUT): the rest of the reply, when the
 * client reads slower than the endpoint writes, was then cut off.
 *
 * <p>The fix here: an empty interest set is sent as {@code EPOLLET} alone. The descriptor stays in the epoll set, so
 * later interests are plain modifications; and since the mask is edge-triggered, the EPOLLHUP and EPOLLERR that epoll
 * always reports wake the loop once per edge, not in a loop (the busy wake-up Netty's removal was meant to prevent).
 * {@code DataPlaneTest.tcp_largeTransferToSlowReader_arrivesIntact} is the proof on epoll; drop this class once a
 * Netty release resets the registration after its removal.
 *
 * <p>Threading: stateless apart from its delegates; each handler and registration is used on its own event loop.
 */
final class EpollKeepRegistered implements IoHandlerFactory {

    private final IoHandlerFactory delegate;

    EpollKeepRegistered(IoHandlerFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
        return new Handler(delegate.newHandler(ioExecutor));
    }

    @Override
    public boolean isChangingThreadSupported() {
        return delegate.isChangingThreadSupported();
    }

    /** Replaces an empty interest set by an edge-triggered one; everything else goes through unchanged. */
    static IoOps keepRegistered(IoOps ops) {
        return EpollIoOps.NONE.equals(ops) ? EpollIoOps.EPOLLET : ops;
    }

    private record Handler(IoHandler delegate) implements IoHandler {

        @Override
        public void initialize() {
            delegate.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return delegate.run(context);
        }

        @Override
        public void prepareToDestroy() {
            delegate.prepareToDestroy();
        }

        @Override
        public void destroy() {
            delegate.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return new Registration(delegate.register(handle));
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return delegate.isCompatible(handleType);
        }
    }

    private record Registration(IoRegistration delegate) implements IoRegistration {

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            return delegate.submit(keepRegistered(ops));
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }
    }
}
