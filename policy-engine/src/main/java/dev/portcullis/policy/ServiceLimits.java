package dev.portcullis.policy;

/**
 * Admission limits of one service; 0 means no limit.
 *
 * @param maxConnections most active connections (or UDP flows) at once
 * @param perSourceConnections most active connections from one client address
 * @param perSourceRate new connections per second from one client address (a token bucket)
 * @param perSourceBurst the bucket's size: how many new connections one client may open at once
 */
public record ServiceLimits(int maxConnections, int perSourceConnections, double perSourceRate, int perSourceBurst) {

    public static final ServiceLimits NONE = new ServiceLimits(0, 0, 0, 0);

    public ServiceLimits {
        if (maxConnections < 0 || perSourceConnections < 0 || perSourceRate < 0 || perSourceBurst < 0) {
            throw new IllegalArgumentException("limits must not be negative: " + maxConnections + ", "
                    + perSourceConnections + ", " + perSourceRate + ", " + perSourceBurst);
        }
    }
}
