package dev.portcullis.router;

/** Why the data plane refused a connection or flow; each reason has its own counter. */
public enum RefusalReason {
    /** The policy's verdict was drop. */
    POLICY_DROP("policy-drop"),
    /** The policy's verdict was reject. */
    POLICY_REJECT("policy-reject"),
    /** The service has no healthy endpoint. */
    NO_HEALTHY_ENDPOINT("no-healthy-endpoint"),
    /** The service is at its maximum of active connections. */
    SERVICE_LIMIT("service-limit"),
    /** The client address is at its maximum of active connections. */
    SOURCE_CONNECTION_LIMIT("source-connection-limit"),
    /** The client address opened new connections faster than its rate allows. */
    SOURCE_RATE_LIMIT("source-rate-limit"),
    /** The appliance is at its global maximum of active connections. */
    GLOBAL_LIMIT("global-limit"),
    /** The chosen destination lies in a service (ClusterIP) CIDR: never opened, whatever the configuration says. */
    CLUSTER_IP_GUARD("cluster-ip-guard"),
    /** Connecting to the endpoint failed or timed out. */
    CONNECT_FAILED("connect-failed"),
    /** The UDP flow table was full and no idle flow could be evicted. */
    FLOW_TABLE_FULL("flow-table-full");

    private final String label;

    RefusalReason(String label) {
        this.label = label;
    }

    /** The stable label used in metrics and logs. */
    public String label() {
        return label;
    }
}
