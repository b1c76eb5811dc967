package dev.portcullis.appliance;

import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import dev.portcullis.policy.classifier.ClassBenchRules;
import dev.portcullis.policy.classifier.ClassifierRule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portcullis policy import-classbench RULES}: writes a policy whose rules match exactly what the ClassBench
 * rules match, in the same order: rule N of the policy is line N of the file, so rule numbers agree with a
 * trace's MATCH column. Every rule accepts; the default drops.
 */
@Command(name = "import-classbench", mixinStandardHelpOptions = true,
        description = "Write a policy equivalent to a ClassBench rule file (rule N = line N).")
final class ImportClassBenchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RULES", description = "A ClassBench rule file.")
    Path rules;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write here instead of standard output.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<ClassifierRule> boxes;
        try (BufferedReader in = Inputs.open(rules)) {
            boxes = ClassBenchRules.parse(rules.toString(), in);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        if (output == null) {
            write(rules.getFileName().toString(), boxes, spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
        } else {
            try (Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                write(rules.getFileName().toString(), boxes, out);
            }
        }
        return 0;
    }

    /** Writes the policy; boxes must have priorities 0..n-1 in order, one box per rule, as ClassBench files do. */
    static void write(String name, List<ClassifierRule> boxes, Writer out) throws IOException {
        out.write("# Imported from the ClassBench rule file " + name + " by portcullis policy import-classbench.\n");
        out.write("# Rule N is line N of that file; every rule accepts and the default drops.\n");
        out.write("version: 1\ncluster:\n  name: classbench\n  podCIDR: [10.244.0.0/16]\n"
                + "  serviceCIDR: [10.96.0.0/12]\nrules:\n");
        StringBuilder line = new StringBuilder(160);
        for (ClassifierRule b : boxes) {
            line.setLength(0);
            line.append("  - {name: r").append(b.priority() + 1);
            prefix(line, "source", b.source());
            prefix(line, "destination", b.destination());
            ports(line, "sourcePorts", b.sourcePorts());
            ports(line, "destinationPorts", b.destinationPorts());
            if (b.protocolLo() == b.protocolHi()) {
                line.append(", protocol: ").append(b.protocolLo());
            } else if (b.protocolLo() != 0 || b.protocolHi() != 255) {
                throw new IllegalArgumentException("rule " + (b.priority() + 1) + ": protocol range "
                        + b.protocolLo() + "-" + b.protocolHi() + " has no policy form");
            }
            line.append(", action: accept}\n");
            out.append(line);
        }
        out.write("default: drop\n");
    }

    private static void prefix(StringBuilder line, String key, IpPrefix p) {
        if (p.length() > 0) {
            line.append(", ").append(key).append(": [").append(p).append(']');
        }
    }

    private static void ports(StringBuilder line, String key, PortRange r) {
        if (!r.isAny()) {
            line.append(", ").append(key).append(": [").append(r).append(']');
        }
    }
}
