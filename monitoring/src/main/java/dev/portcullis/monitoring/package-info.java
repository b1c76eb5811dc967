/** The counters of the data plane and the control plane, exported to Prometheus and over SNMP. */
package dev.portcullis.monitoring;
