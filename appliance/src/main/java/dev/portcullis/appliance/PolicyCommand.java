package dev.portcullis.appliance;

import picocli.CommandLine.Command;

/** {@code portcullis policy ...}: check, explain and convert policy files. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Check, test and convert policy files.",
        subcommands = {PolicyCheckCommand.class, PolicyTestCommand.class, ImportClassBenchCommand.class})
final class PolicyCommand {
}
