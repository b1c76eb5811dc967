/** The {@code portcullis} command line and its subcommands. */
package dev.portcullis.appliance;
