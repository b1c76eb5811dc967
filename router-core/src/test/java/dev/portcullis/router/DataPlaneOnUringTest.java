package dev.portcullis.router;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every {@link DataPlaneTest} again on the io_uring transport: TCP relayed with ring operations
 * ({@link UringConnection}), UDP and health checks on Netty's io_uring channels. Skipped where the kernel has no
 * io_uring or has it turned off ({@code kernel.io_uring_disabled}, a container's seccomp profile).
 */
class DataPlaneOnUringTest extends DataPlaneTest {

    @Override
    NettyTransport transport() {
        assumeTrue(io.netty.channel.uring.IoUring.isAvailable(),
                () -> "io_uring unavailable: " + io.netty.channel.uring.IoUring.unavailabilityCause());
        return NettyTransport.ioUring();
    }
}
