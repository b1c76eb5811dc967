package dev.portcullis.appliance;

/**
 * Every {@link ClusterE2EIT} proof again with the appliance on the io_uring transport ({@code dataPlane.transport:
 * io_uring}): the same namespaces, pods, policy reloads and dead endpoint, with TCP relayed through ring operations.
 * Skipped where the kernel has no io_uring, as the base class skips without root.
 */
@ClusterE2EIT.OnTransport("io_uring")
class ClusterE2EOnUringIT extends ClusterE2EIT {
}
