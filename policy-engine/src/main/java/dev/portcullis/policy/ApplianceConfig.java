package dev.portcullis.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The appliance's own settings, from {@code appliance.yaml} in the configuration directory (the policy is a
 * separate file it names).
 *
 * <pre>
 * node: edge1
 * policy: policy.yaml
 * management: {address: 127.0.0.1}
 * dataPlane: {ioThreads: 0, maxConnections: 100000, maxUdpFlowsPerListener: 65536,
 *             closeDeniedOnReload: false, drainTimeout: 30s}
 * logging: {directory: logs, decisionsPerSecond: 100}
 * routes: {manage: false}
 * state: {directory: state, keepRevisions: 50}
 * </pre>
 *
 * @param directory the configuration directory; relative paths in the file are resolved against it
 */
public record ApplianceConfig(Path directory, String node, Path policy, Optional<IpAddress> managementAddress,
                              DataPlane dataPlane, Logging logging, Routes routes, State state) {

    public ApplianceConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(managementAddress, "managementAddress");
        Objects.requireNonNull(dataPlane, "dataPlane");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(state, "state");
    }

    /** Data plane settings; 0 means "one per core" for threads and "no limit" for connections. */
    public record DataPlane(int ioThreads, int maxConnections, int maxUdpFlowsPerListener, boolean closeDeniedOnReload,
                            Duration drainTimeout) {
        public static final DataPlane DEFAULT = new DataPlane(0, 0, 65_536, false, Duration.ofSeconds(30));
    }

    /** Where logs go, and how many decision lines a second at most. */
    public record Logging(Path directory, double decisionsPerSecond) {
    }

    /**
     * Cluster routes: when {@code manage} is on, the appliance keeps the kernel's routes to each node's podCIDR via
     * that node's address, tagged with {@code protocol} so it can find and remove its own stale ones.
     */
    public record Routes(boolean manage, int protocol) {
        public static final int DEFAULT_PROTOCOL = 188;
    }

    /**
     * The configuration store on the appliance's data partition: the running policy and its numbered revisions.
     *
     * @param directory where the store keeps its files (relative paths in the file resolve against the configuration
     *                  directory)
     * @param keepRevisions how many revisions are kept, at least {@link #MIN_KEEP_REVISIONS}; older ones are pruned
     */
    public record State(Path directory, int keepRevisions) {
        /** The fewest revisions a store keeps: operators can always go back this far. */
        public static final int MIN_KEEP_REVISIONS = 50;
        /** The most revisions a store keeps. */
        public static final int MAX_KEEP_REVISIONS = 10_000;

        public State {
            Objects.requireNonNull(directory, "directory");
            if (keepRevisions < MIN_KEEP_REVISIONS || keepRevisions > MAX_KEEP_REVISIONS) {
                throw new IllegalArgumentException("keepRevisions " + keepRevisions + " is outside "
                        + MIN_KEEP_REVISIONS + "-" + MAX_KEEP_REVISIONS);
            }
        }
    }
}
