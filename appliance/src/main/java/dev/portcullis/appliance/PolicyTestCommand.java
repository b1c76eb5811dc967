package dev.portcullis.appliance;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.FlowParser;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis policy test}: explains the verdict for one flow, or classifies a file of flows.
 *
 * <p>With {@code --flows}, each line {@code SRC DST SPORT DPORT PROTO} gives one output line
 * {@code RULE_NUMBER RULE_NAME ACTION} (0 and {@code default} when no rule matches). A malformed line is reported
 * on standard error as {@code FLOWS:LINE: why} and gives no output line; the exit code is then 1.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Explain the verdict for one flow (--from/--to) or classify a file of flows (--flows).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:invalid policy or malformed flow", "2:could not read a file"})
final class PolicyTestCommand implements Callable<Integer> {

    /** The source port assumed when --from gives none: the first IANA dynamic port. */
    static final int DEFAULT_SOURCE_PORT = 49152;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The policy file (YAML).")
    Path file;

    @Option(names = "--from", paramLabel = "ADDR[:PORT]",
            description = "Source of the flow; without a port, " + DEFAULT_SOURCE_PORT + " is assumed.")
    String from;

    @Option(names = "--to", paramLabel = "ADDR:PORT", description = "Destination of the flow.")
    String to;

    @Option(names = "--protocol", paramLabel = "P", defaultValue = "tcp",
            description = "Protocol name or number (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--flows", paramLabel = "FLOWS",
            description = "A file of flows, one 'SRC DST SPORT DPORT PROTO' a line (.gz allowed).")
    Path flows;

    @Override
    public Integer call() throws IOException {
        boolean single = from != null || to != null;
        if (single == (flows != null)) {
            throw new CommandFailure(Main.EXIT_UNREADABLE, "give either --from and --to, or --flows");
        }
        PrintWriter err = spec.commandLine().getErr();
        CompiledPolicy compiled = PolicyFiles.load(file, err);
        return single ? explain(compiled) : classifyFile(compiled, err);
    }

    private int explain(CompiledPolicy compiled) {
        if (from == null || to == null) {
            throw new CommandFailure(Main.EXIT_UNREADABLE, "--from and --to go together");
        }
        PrintWriter out = spec.commandLine().getOut();
        FlowKey flow;
        boolean assumedPort;
        try {
            FlowParser.Endpoint src = FlowParser.endpoint(from);
            FlowParser.Endpoint dst = FlowParser.endpoint(to);
            int proto = FlowParser.protocol(protocol);
            boolean ports = IpProtocols.hasPorts(proto);
            if (ports && dst.port() == FlowParser.Endpoint.NO_PORT) {
                throw new IllegalArgumentException("--to needs a port for " + IpProtocols.name(proto));
            }
            assumedPort = ports && src.port() == FlowParser.Endpoint.NO_PORT;
            int sport = !ports ? 0 : assumedPort ? DEFAULT_SOURCE_PORT : src.port();
            int dport = ports ? dst.port() : 0;
            flow = new FlowKey(src.address(), dst.address(), sport, dport, proto);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(1, e.getMessage());
        }
        Verdict v = compiled.decide(flow);
        out.println("flow:    " + flow + (assumedPort ? " (source port assumed)" : ""));
        out.println("verdict: " + v.action().word());
        if (v.rule().isPresent()) {
            Rule r = v.rule().get();
            out.println("rule:    " + r.number() + " '" + r.name() + "' at " + r.location());
        } else {
            out.println("rule:    none matched; the policy's default decided");
        }
        return 0;
    }

    private int classifyFile(CompiledPolicy compiled, PrintWriter err) throws IOException {
        List<Rule> rules = compiled.policy().rules();
        int bad = 0;
        PrintWriter out = spec.commandLine().getOut();
        try (BufferedReader in = Inputs.open(flows)) {
            String line;
            int lineNumber = 0;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                FlowKey flow;
                try {
                    flow = parseFlowLine(trimmed);
                } catch (IllegalArgumentException e) {
                    err.println(flows + ":" + lineNumber + ": " + e.getMessage());
                    bad++;
                    continue;
                }
                int index = compiled.match(flow);
                if (index < 0) {
                    out.write("0 default ");
                } else {
                    out.write(Integer.toString(index + 1));
                    out.write(' ');
                    out.write(rules.get(index).name());
                    out.write(' ');
                }
                out.write(compiled.action(index).word());
                out.write('\n');
            }
        } finally {
            out.flush();
        }
        return bad == 0 ? 0 : 1;
    }

    static FlowKey parseFlowLine(String line) {
        String[] f = line.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("expected 'SRC DST SPORT DPORT PROTO', found " + f.length + " fields");
        }
        IpAddress src = IpAddress.parse(f[0]);
        IpAddress dst = IpAddress.parse(f[1]);
        return new FlowKey(src, dst, FlowParser.port(f[2]), FlowParser.port(f[3]), FlowParser.protocol(f[4]));
    }
}
