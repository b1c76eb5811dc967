/** The SNMP agent: v2c and v3 USM access, MIB-II system, IF-MIB and PORTCULLIS-MIB, and notifications. */
package dev.portcullis.monitoring.snmp;
