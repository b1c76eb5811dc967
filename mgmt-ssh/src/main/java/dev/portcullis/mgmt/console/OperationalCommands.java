package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.console.CommandSpec.Invocation;
import dev.portcullis.policy.ClusterNode;
import dev.portcullis.policy.FlowKey;
import dev.portcullis.policy.FlowParser;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.IpProtocols;
import dev.portcullis.policy.PortRange;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.Service;
import dev.portcullis.policy.Verdict;
import dev.portcullis.router.ClusterRoutes;
import dev.portcullis.router.ConnectionInfo;
import dev.portcullis.router.Endpoint;
import dev.portcullis.router.RefusalReason;
import dev.portcullis.router.RouterState;
import dev.portcullis.router.RuleCounter;
import dev.portcullis.router.ServiceCounters;
import dev.portcullis.router.ServiceRuntime;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The handlers of operational mode: show, test and clear. Each reads through the console's {@link ApplianceView}. */
final class OperationalCommands {

    /** Lines shown by {@code show log}. */
    static final int LOG_LINES = 100;

    /** The source port assumed when {@code test policy from} gives none (the first IANA dynamic port). */
    static final int DEFAULT_SOURCE_PORT = 49152;

    private OperationalCommands() {
    }

    private static ApplianceView view(Invocation inv) {
        return inv.session().console().view();
    }

    static Output systemSoftware(Invocation inv) throws CommandException {
        SystemSoftware sw = software(inv);
        try {
            return new Output.Text(sw.show());
        } catch (SystemSoftware.SoftwareException e) {
            throw new CommandException(e.getMessage());
        }
    }

    static Output softwareAdd(Invocation inv) throws CommandException {
        return softwareAdd(inv, false);
    }

    static Output softwareAddForce(Invocation inv) throws CommandException {
        return softwareAdd(inv, true);
    }

    private static Output softwareAdd(Invocation inv, boolean force) throws CommandException {
        SystemSoftware sw = software(inv);
        java.nio.file.Path bundle = ConfigurationCommands.uploaded(inv.session(), inv.arg(0));
        try {
            return new Output.Message(sw.add(bundle, force));
        } catch (SystemSoftware.SoftwareException e) {
            throw new CommandException("software add " + inv.arg(0) + " refused: " + e.getMessage());
        }
    }

    static Output reboot(Invocation inv) throws CommandException {
        SystemSoftware sw = software(inv);
        try {
            return new Output.Message(sw.reboot());
        } catch (SystemSoftware.SoftwareException e) {
            throw new CommandException("reboot failed: " + e.getMessage());
        }
    }

    private static SystemSoftware software(Invocation inv) throws CommandException {
        return inv.session().console().software().orElseThrow(() -> new CommandException("software management is "
                + "not available here: this system was not installed from a Portcullis image"));
    }

    static Output metrics(Invocation inv) {
        return new Output.Text(view(inv).metrics());
    }

    static Output snmp(Invocation inv) {
        return new Output.Text(view(inv).snmp());
    }

    static Output version(Invocation inv) {
        return Output.Fields.of("version", view(inv).version(), "java", Runtime.version().toString());
    }

    static Output system(Invocation inv) {
        ApplianceView v = view(inv);
        RouterState state = v.state();
        Runtime rt = Runtime.getRuntime();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return Output.Fields.of(
                "node", v.node(),
                "version", v.version(),
                "started", v.started(),
                "uptime", duration(Duration.between(v.started(), Instant.now())),
                "java", Runtime.version().toString(),
                "processors", rt.availableProcessors(),
                "heapUsedMiB", (rt.totalMemory() - rt.freeMemory()) >> 20,
                "heapMaxMiB", rt.maxMemory() >> 20,
                "loadAverage", load < 0 ? null : String.format("%.2f", load),
                "transport", v.transport(),
                "policyRevision", state.revision(),
                "rules", state.policy().policy().rules().size(),
                "services", state.services().size(),
                "listeners", v.listeners().size(),
                "activeConnectionsAndFlows", v.globalActive(),
                "classifierLookups", v.counters().lookups());
    }

    static Output services(Invocation inv) {
        RouterState state = view(inv).state();
        List<List<Object>> rows = new ArrayList<>();
        for (Service s : state.policy().policy().services()) {
            ServiceRuntime rt = state.services().get(s.name());
            ServiceCounters c = rt == null ? view(inv).counters().service(s.name()) : rt.counters();
            long refused = Arrays.stream(RefusalReason.values()).mapToLong(c::refusals).sum();
            long up = rt == null ? 0 : rt.endpoints().stream().filter(Endpoint::healthy).count();
            rows.add(Output.Table.row(s.name(), s.protocol().word(), join(s.listen()),
                    up + "/" + s.endpoints().size(), s.balance().word(),
                    c.active(), c.total(), c.bytesIn(), c.bytesOut(), refused));
        }
        return new Output.Table(List.of("service", "protocol", "listen", "endpointsUp", "balance", "active", "total",
                "bytesIn", "bytesOut", "refused"), rows);
    }

    static Output endpoints(Invocation inv) {
        RouterState state = view(inv).state();
        List<List<Object>> rows = new ArrayList<>();
        for (Service s : state.policy().policy().services()) {
            ServiceRuntime rt = state.services().get(s.name());
            if (rt == null) {
                continue;
            }
            for (Endpoint e : rt.endpoints()) {
                rows.add(Output.Table.row(s.name(), e.address().toString(), e.healthy() ? "up" : "down", e.active(),
                        e.total(), e.bytesToEndpoint(), e.bytesFromEndpoint(), e.connectFailures()));
            }
        }
        return new Output.Table(List.of("service", "endpoint", "health", "active", "total", "bytesTo", "bytesFrom",
                "connectFailures"), rows);
    }

    static Output connections(Invocation inv) throws CommandException {
        Optional<String> service = Commands.optionalArg(inv, 0);
        if (service.isPresent()) {
            knownService(inv, service.get());
        }
        List<List<Object>> rows = new ArrayList<>();
        Instant now = Instant.now();
        for (ConnectionInfo c : view(inv).connections()) {
            if (service.isEmpty() || service.get().equals(c.service())) {
                rows.add(Output.Table.row(c.service(), address(c.client()), address(c.listener()), address(c.endpoint()),
                        c.since(), duration(Duration.between(c.since(), now))));
            }
        }
        return new Output.Table(List.of("service", "client", "listener", "endpoint", "since", "age"), rows);
    }

    static Output rules(Invocation inv) {
        RouterState state = view(inv).state();
        List<List<Object>> rows = new ArrayList<>();
        for (Rule r : state.policy().policy().rules()) {
            List<String> dst = new ArrayList<>(r.destinations().stream().map(IpPrefix::toString).toList());
            r.serviceTargets().forEach(t -> dst.add(t.toString()));
            rows.add(Output.Table.row(r.number(), r.name(), r.action().word(),
                    r.protocol().isPresent() ? IpProtocols.name(r.protocol().getAsInt()) : "any",
                    any(r.sources().stream().map(IpPrefix::toString).toList()),
                    any(r.sourcePorts().stream().map(PortRange::toString).toList()),
                    any(dst), any(r.destinationPorts().stream().map(PortRange::toString).toList()),
                    r.log() ? "yes" : "no"));
        }
        rows.add(Output.Table.row(0, "default", state.policy().policy().defaultAction().word(), "any", "any", "any", "any",
                "any", "no"));
        return new Output.Table(List.of("number", "name", "action", "protocol", "source", "sourcePorts",
                "destination", "destinationPorts", "log"), rows);
    }

    static Output ruleHits(Invocation inv) {
        RouterState state = view(inv).state();
        List<List<Object>> rows = new ArrayList<>();
        List<Rule> rules = state.policy().policy().rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            RuleCounter c = state.ruleCounters()[i];
            rows.add(Output.Table.row(r.number(), r.name(), r.action().word(), c.hits(), lastHit(c)));
        }
        RuleCounter d = view(inv).counters().defaultRule();
        rows.add(Output.Table.row(0, "default", state.policy().policy().defaultAction().word(), d.hits(), lastHit(d)));
        return new Output.Table(List.of("number", "name", "action", "hits", "lastHit"), rows);
    }

    private static Object lastHit(RuleCounter c) {
        return c.lastHitMillis() == 0 ? null : Instant.ofEpochMilli(c.lastHitMillis());
    }

    static Output routes(Invocation inv) {
        ApplianceView v = view(inv);
        Optional<List<ClusterRoutes.RouteStatus>> routes = v.routes();
        List<List<Object>> rows = new ArrayList<>();
        if (routes.isPresent()) {
            for (ClusterRoutes.RouteStatus r : routes.get()) {
                rows.add(Output.Table.row(r.node(), r.podCidr().toString(), r.via(),
                        r.state().toString().toLowerCase(java.util.Locale.ROOT), r.detail()));
            }
        } else {
            for (ClusterNode n : v.state().policy().policy().cluster().nodes()) {
                rows.add(Output.Table.row(n.name(), n.podCidr().toString(), n.address().toString(), "not managed",
                        "routes.manage is off in appliance.yaml"));
            }
        }
        return new Output.Table(List.of("node", "podCidr", "via", "state", "detail"), rows);
    }

    static Output runningConfig(Invocation inv) {
        ConfigBackend.Revision r = inv.session().console().config().running();
        return new Output.Document("running revision " + r.number(), java.util.Map.of("revision", r.number()),
                r.text());
    }

    static Output revisionConfig(Invocation inv) throws ConfigException {
        ConfigBackend.Revision r = inv.session().console().config().revision(inv.intArg(0));
        return new Output.Document("revision " + r.number(), java.util.Map.of("revision", r.number()), r.text());
    }

    static Output history(Invocation inv) {
        List<List<Object>> rows = new ArrayList<>();
        for (ConfigBackend.RevisionInfo r : inv.session().console().config().history()) {
            rows.add(Output.Table.row(r.number(), r.time(), r.author(), r.source(), r.comment(), r.state()));
        }
        return new Output.Table(List.of("revision", "time", "author", "source", "comment", "state"), rows);
    }

    static Output auditLog(Invocation inv) {
        return new Output.Lines(inv.session().console().audit().tail(LOG_LINES));
    }

    static Output decisionLog(Invocation inv) throws CommandException {
        Path file = view(inv).decisionLog();
        if (!Files.exists(file)) {
            return new Output.Lines(List.of());
        }
        try {
            return new Output.Lines(tail(file, LOG_LINES));
        } catch (IOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The last {@code n} lines of a file, reading at most its last 1 MiB. */
    static List<String> tail(Path file, int n) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long from = Math.max(0, length - (1 << 20));
            byte[] buf = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(buf);
            List<String> lines = new ArrayList<>(List.of(new String(buf, StandardCharsets.UTF_8).split("\n")));
            if (from > 0 && !lines.isEmpty()) {
                lines.removeFirst(); // cut in the middle
            }
            lines.removeIf(String::isEmpty);
            return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    static Output help(Invocation inv) {
        ConsoleSession s = inv.session();
        List<List<Object>> rows = new ArrayList<>();
        for (CommandSpec spec : s.console().grammar().specs()) {
            if (spec.modes().contains(s.mode()) && spec.privilege().allows(s.role())) {
                rows.add(Output.Table.row(spec.syntax(), spec.help()));
            }
        }
        rows.sort(Comparator.comparing(r -> (String) r.get(0)));
        return new Output.Table(List.of("command", "help"), rows);
    }

    static Output logout(Invocation inv) {
        inv.session().end();
        return Output.NONE;
    }

    static Output testPolicy(Invocation inv) throws CommandException {
        FlowKey flow;
        boolean assumed;
        try {
            FlowParser.Endpoint src = FlowParser.endpoint(inv.arg(0));
            FlowParser.Endpoint dst = FlowParser.endpoint(inv.arg(1));
            int proto = FlowParser.protocol(Commands.optionalArg(inv, 2).orElse("tcp"));
            boolean ports = IpProtocols.hasPorts(proto);
            if (ports && dst.port() == FlowParser.Endpoint.NO_PORT) {
                throw new CommandException("the destination needs a port for " + IpProtocols.name(proto)
                        + ": write ADDRESS:PORT");
            }
            if (src.address().family() != dst.address().family()) {
                throw new CommandException("the source and destination are of different address families");
            }
            assumed = ports && src.port() == FlowParser.Endpoint.NO_PORT;
            flow = new FlowKey(src.address(), dst.address(), !ports ? 0 : assumed ? DEFAULT_SOURCE_PORT : src.port(),
                    ports ? dst.port() : 0, proto);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
        Verdict v = view(inv).state().policy().decide(flow);
        return Output.Fields.of(
                "flow", flow + (assumed ? " (source port assumed)" : ""),
                "verdict", v.action().word(),
                "rule", v.rule().map(Rule::number).orElse(0),
                "ruleName", v.rule().map(Rule::name).orElse("default"),
                "defined", v.rule().map(r -> r.location().toString()).orElse("the policy's default"));
    }

    static Output clearCounters(Invocation inv) {
        view(inv).counters().clear();
        return new Output.Message("counters cleared");
    }

    static Output clearConnections(Invocation inv) throws CommandException {
        Optional<String> service = Commands.optionalArg(inv, 0);
        if (service.isPresent()) {
            knownService(inv, service.get());
        }
        int n = view(inv).closeConnections(service);
        return new Output.Message("closing " + n + " connection" + (n == 1 ? "" : "s")
                + service.map(s -> " of service " + s).orElse(""));
    }

    private static void knownService(Invocation inv, String name) throws CommandException {
        List<String> names = view(inv).state().policy().policy().services().stream().map(Service::name).toList();
        if (!names.contains(name)) {
            throw new CommandException("no service '" + name + "' in the running policy; services: "
                    + String.join(", ", names));
        }
    }

    private static String address(java.net.InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static <T> String join(List<T> items) {
        return String.join(",", items.stream().map(Object::toString).toList());
    }

    private static String any(List<String> items) {
        return items.isEmpty() ? "any" : String.join(",", items);
    }

    /** {@code 3d 4h}, {@code 2h 5m}, {@code 4m 10s}, {@code 12s}. */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 86_400) {
            return s / 86_400 + "d " + (s % 86_400) / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h " + (s % 3600) / 60 + "m";
        }
        if (s >= 60) {
            return s / 60 + "m " + s % 60 + "s";
        }
        return s + "s";
    }
}
