package dev.portcullis.appliance;

import picocli.CommandLine.Command;

/** {@code portcullis bench ...}: quick measurements on this machine. JMH benchmarks live in the benchmarks module. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the appliance's engines on this machine.",
        subcommands = {BenchClassifyCommand.class})
final class BenchCommand {
}
