/**
 * The console: the command grammar with completion and {@code ?} help, roles, operational commands over the data
 * plane, configuration mode over a {@link dev.portcullis.mgmt.console.ConfigBackend}, and text or JSON output.
 * Nothing here knows SSH; {@link dev.portcullis.mgmt.console.ConsoleSession} runs one line for one user.
 */
package dev.portcullis.mgmt.console;
