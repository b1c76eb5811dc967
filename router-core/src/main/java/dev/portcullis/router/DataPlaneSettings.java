package dev.portcullis.router;

import dev.portcullis.policy.CpuAffinity;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the data plane as a whole (the policy carries the per-service ones).
 *
 * @param ioThreads event loops; 0 means one per core
 * @param maxConnections most active TCP connections and UDP flows across all services; 0 means no limit
 * @param maxUdpFlowsPerListener the bound of each UDP listener's flow table
 * @param closeDeniedOnReload whether a reload closes established connections the new policy would refuse
 * @param decisionLogPerSecond lines per second the decision log writes at most (bursts of twice that)
 * @param drainTimeout how long a stop waits for connections to end before closing them
 * @param cpuAffinity which CPU each event loop is bound to
 */
public record DataPlaneSettings(int ioThreads, int maxConnections, int maxUdpFlowsPerListener,
                                boolean closeDeniedOnReload, double decisionLogPerSecond, Duration drainTimeout,
                                CpuAffinity cpuAffinity) {

    public static final DataPlaneSettings DEFAULT =
            new DataPlaneSettings(0, 0, 65_536, false, 100, Duration.ofSeconds(30), CpuAffinity.AUTO);

    public DataPlaneSettings {
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(cpuAffinity, "cpuAffinity");
        if (ioThreads < 0 || maxConnections < 0 || maxUdpFlowsPerListener < 1 || decisionLogPerSecond < 0) {
            throw new IllegalArgumentException("bad data plane settings: ioThreads " + ioThreads
                    + ", maxConnections " + maxConnections + ", maxUdpFlowsPerListener " + maxUdpFlowsPerListener
                    + ", decisionLogPerSecond " + decisionLogPerSecond);
        }
    }

    public DataPlaneSettings withCloseDeniedOnReload(boolean close) {
        return new DataPlaneSettings(ioThreads, maxConnections, maxUdpFlowsPerListener, close, decisionLogPerSecond,
                drainTimeout, cpuAffinity);
    }
}
