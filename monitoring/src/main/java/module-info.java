/**
 * Portcullis monitoring: the data plane's and control plane's counters as Micrometer meters behind a Prometheus
 * endpoint, an SNMP v2c/v3 agent with MIB-II, IF-MIB and PORTCULLIS-MIB, and rate-limited notifications.
 */
module dev.portcullis.monitoring {
    requires transitive dev.portcullis.router;
    requires transitive dev.portcullis.policy;
    requires transitive micrometer.core; // Monitoring.registry() hands out the MeterRegistry
    requires micrometer.commons;
    requires micrometer.registry.prometheus;
    requires org.snmp4j;
    requires org.snmp4j.agent;
    requires jdk.httpserver;
    requires java.management; // JVM meters read the platform MXBeans
    requires jdk.management; // GC notifications and file descriptor counts
    requires org.slf4j;

    exports dev.portcullis.monitoring;
}
