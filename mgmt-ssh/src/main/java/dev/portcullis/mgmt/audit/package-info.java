/** The audit log: every login, failed login and console command as one JSON line, kept across restarts. */
package dev.portcullis.mgmt.audit;
