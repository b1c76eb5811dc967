package dev.portcullis.policy.classifier;

import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.PortRange;
import java.io.IOException;
import java.util.List;

/**
 * Writes a policy whose rules match exactly what ClassBench rules match, in the same order: rule N of the policy
 * is line N of the rule file, so rule numbers agree with a trace's MATCH column. Every rule accepts; the default
 * drops. Rules are written in YAML flow style, one a line, as large generated policies usually are.
 */
public final class ClassBenchPolicy {

    private ClassBenchPolicy() {
    }

    /**
     * Writes the policy for {@code boxes}, which must be one box per rule with priorities 0..n-1 in order, as
     * {@link ClassBenchRules#parse} gives them.
     *
     * @param name the rule file's name, for the header comment
     * @param namePrefix prefix of each rule's name ({@code r} gives r1, r2, ...)
     * @throws IllegalArgumentException for a protocol range a policy cannot express (ClassBench has none)
     */
    public static void write(String name, String namePrefix, List<ClassifierRule> boxes, Appendable out)
            throws IOException {
        out.append("# Imported from the ClassBench rule file ").append(name)
                .append(" by portcullis policy import-classbench.\n")
                .append("# Rule N is line N of that file; every rule accepts and the default drops.\n")
                .append("version: 1\ncluster:\n  name: classbench\n  podCIDR: [10.244.0.0/16]\n")
                .append("  serviceCIDR: [10.96.0.0/12]\nrules:\n");
        StringBuilder line = new StringBuilder(160);
        for (ClassifierRule b : boxes) {
            line.setLength(0);
            line.append("  - {name: ").append(namePrefix).append(b.priority() + 1);
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
        out.append("default: drop\n");
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
