/**
 * The SSH management server: host keys, public-key (and optionally password) login, lockout of sources that keep
 * failing, session limits, the console as shell and one-shot command, and SFTP confined to each user's upload area.
 */
package dev.portcullis.mgmt.ssh;
