package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a {@link YamlNode} tree into a {@link Policy}, reporting every problem with its place rather than stopping
 * at the first. Reference resolution ({@code $set}, {@code service:NAME}) happens here; checks that compare parts
 * of the policy with each other are in {@link PolicyChecks}.
 *
 * <p>Not thread-safe; make one per document.
 */
final class PolicyReader {

    static final Set<String> TOP_KEYS = orderedSet("version", "cluster", "sets", "services", "rules", "default");
    static final Set<String> CLUSTER_KEYS = orderedSet("name", "podCIDR", "serviceCIDR", "nodes");
    static final Set<String> NODE_KEYS = orderedSet("name", "address", "podCIDR");
    static final Set<String> SERVICE_KEYS = orderedSet("listen", "protocol", "endpoints", "description", "balance",
            "healthCheck", "limits", "timeouts", "proxyProtocol");
    static final Set<String> HEALTH_KEYS = orderedSet("enabled", "interval", "timeout", "rise", "fall");
    static final Set<String> LIMIT_KEYS = orderedSet("maxConnections", "perSourceConnections", "perSourceRate",
            "perSourceBurst");
    static final Set<String> TIMEOUT_KEYS = orderedSet("connect", "idle");
    static final Set<String> RULE_KEYS = orderedSet("name", "description", "source", "sourcePorts", "destination",
            "destinationPorts", "protocol", "action", "log");

    /** Names of rules, services, sets and nodes: what DNS labels and Kubernetes names allow, and a little more. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /**
     * Most boxes one rule may expand into (sources x source ports x destinations x destination ports). Past it the
     * rule is refused: it would cost the classifier more memory than the rest of a large policy.
     */
    static final int MAX_BOXES_PER_RULE = 65_536;

    private final String source;
    private final Diagnostics diagnostics;
    private final YamlValues values;

    /** Sets as written, resolved on first use; see {@link #resolveSet}. */
    private final Map<String, RawSet> rawSets = new LinkedHashMap<>();
    private final Map<String, NamedSet> resolvedSets = new HashMap<>();
    private final Set<String> resolving = new HashSet<>();
    /** Sets already reported as invalid: a reference to one is not reported again. */
    private final Set<String> failedSets = new HashSet<>();
    private final Map<String, Service> services = new LinkedHashMap<>();

    /** Values with their places, kept for {@link PolicyChecks}. */
    private final List<Located<IpPrefix>> podCidrs = new ArrayList<>();
    private final List<Located<IpPrefix>> serviceCidrs = new ArrayList<>();
    private final List<Located<ClusterNode>> nodes = new ArrayList<>();
    private final List<Located<HostPort>> listeners = new ArrayList<>();
    private final Map<HostPort, Transport> listenerTransport = new HashMap<>();
    private final List<Located<HostPort>> endpoints = new ArrayList<>();
    private final List<Located<IpPrefix>> ruleDestinations = new ArrayList<>();

    private record RawSet(String name, YamlNode node, Location location) {
    }

    PolicyReader(String source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
        this.values = new YamlValues(diagnostics);
    }

    /** Reads the policy; empty when any error was reported. */
    Optional<Policy> read(YamlNode root) {
        Map<String, YamlNode.Entry> top = fields(root, "the policy", TOP_KEYS, Set.of("version", "cluster"));
        if (top == null) {
            return Optional.empty();
        }
        int version = readVersion(top.get("version"));
        Cluster cluster = readCluster(top.get("cluster"));
        readSetsRaw(top.get("sets"));
        readServices(top.get("services"));
        for (String name : rawSets.keySet()) {
            resolveSet(name, rawSets.get(name).location());
        }
        List<Rule> rules = readRules(top.get("rules"));
        Action defaultAction = Action.DROP;
        YamlNode.Entry def = top.get("default");
        if (def != null) {
            defaultAction = readAction(def.value()).orElse(Action.DROP);
        }
        if (cluster != null) {
            new PolicyChecks(diagnostics).check(podCidrs, serviceCidrs, nodes, listeners, endpoints,
                    ruleDestinations);
        }
        if (diagnostics.hasErrors() || cluster == null) {
            return Optional.empty();
        }
        return Optional.of(new Policy(source, version, cluster, resolvedSets, List.copyOf(services.values()),
                rules, defaultAction, List.of()));
    }

    // ---- structure helpers ----

    private Map<String, YamlNode.Entry> fields(YamlNode node, String what, Set<String> allowed,
                                                Set<String> required) {
        return values.fields(node, what, allowed, required);
    }

    /** The items of a list; a single scalar is taken as a list of one. Null (error reported) for anything else. */
    private List<YamlNode> items(YamlNode.Entry entry, String what) {
        YamlNode node = entry.value();
        if (node instanceof YamlNode.Sequence s) {
            if (s.items().isEmpty()) {
                diagnostics.error(s.location(), what + " is an empty list, which matches nothing",
                        "remove '" + entry.key().value() + "' to mean any, or list at least one value");
                return null;
            }
            return s.items();
        }
        if (node instanceof YamlNode.Scalar sc && !sc.isNull()) {
            return List.of(sc);
        }
        diagnostics.error(node.location(), what + " must be a list, not " + node.kind());
        return null;
    }

    private Optional<String> text(YamlNode node, String what) {
        return values.text(node, what);
    }

    private Optional<String> name(YamlNode node, String what) {
        Optional<String> t = text(node, what);
        if (t.isPresent() && !NAME.matcher(t.get()).matches()) {
            diagnostics.error(node.location(), what + " '" + t.get() + "' is not a valid name",
                    "use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            return Optional.empty();
        }
        return t;
    }

    private Optional<Boolean> bool(YamlNode node, String what) {
        return values.bool(node, what);
    }

    private Optional<IpPrefix> prefix(YamlNode node, String what) {
        return parsed(node, what, IpPrefix::parse);
    }

    /** A scalar parsed by {@code parser}; its IllegalArgumentException becomes an error at the node's place. */
    private <T> Optional<T> parsed(YamlNode node, String what, java.util.function.Function<String, T> parser) {
        Optional<String> t = text(node, what);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(t.get()));
        } catch (IllegalArgumentException e) {
            diagnostics.error(node.location(), "malformed " + what + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private List<Located<IpPrefix>> prefixes(YamlNode.Entry entry, String what) {
        List<Located<IpPrefix>> out = new ArrayList<>();
        List<YamlNode> items = items(entry, what);
        if (items != null) {
            for (YamlNode n : items) {
                prefix(n, what + " entry").ifPresent(p -> out.add(new Located<>(p, n.location())));
            }
        }
        return out;
    }

    private Optional<HostPort> hostPort(YamlNode node, String what) {
        return parsed(node, what, HostPort::parse);
    }

    // ---- sections ----

    private int readVersion(YamlNode.Entry entry) {
        if (entry == null) {
            return 1;
        }
        Optional<String> t = text(entry.value(), "version");
        if (t.isPresent() && !t.get().equals("1")) {
            diagnostics.error(entry.value().location(), "unsupported policy version '" + t.get() + "'",
                    "this Portcullis reads version 1");
        }
        return 1;
    }

    private Cluster readCluster(YamlNode.Entry entry) {
        if (entry == null) {
            return null;
        }
        Map<String, YamlNode.Entry> f = fields(entry.value(), "cluster", CLUSTER_KEYS,
                orderedSet("name", "podCIDR", "serviceCIDR"));
        if (f == null) {
            return null;
        }
        String name = f.containsKey("name") ? name(f.get("name").value(), "cluster name").orElse("") : "";
        if (f.containsKey("podCIDR")) {
            podCidrs.addAll(prefixes(f.get("podCIDR"), "cluster podCIDR"));
        }
        if (f.containsKey("serviceCIDR")) {
            serviceCidrs.addAll(prefixes(f.get("serviceCIDR"), "cluster serviceCIDR"));
        }
        if (f.containsKey("nodes")) {
            readNodes(f.get("nodes"));
        }
        return new Cluster(name, values(podCidrs), values(serviceCidrs), values(nodes));
    }

    private void readNodes(YamlNode.Entry entry) {
        if (!(entry.value() instanceof YamlNode.Sequence seq)) {
            diagnostics.error(entry.value().location(), "cluster nodes must be a list, not " + entry.value().kind());
            return;
        }
        Map<String, Location> names = new HashMap<>();
        for (YamlNode n : seq.items()) {
            Map<String, YamlNode.Entry> f = fields(n, "a node", NODE_KEYS, NODE_KEYS);
            if (f == null || f.size() < NODE_KEYS.size()) {
                continue;
            }
            Optional<String> name = name(f.get("name").value(), "node name");
            Optional<IpAddress> address = parsed(f.get("address").value(), "node address", IpAddress::parse);
            Optional<IpPrefix> pod = prefix(f.get("podCIDR").value(), "node podCIDR");
            if (name.isPresent()) {
                Location first = names.putIfAbsent(name.get(), n.location());
                if (first != null) {
                    diagnostics.error(f.get("name").value().location(), "duplicate node name '" + name.get()
                            + "' (first at line " + first.line() + ")");
                }
            }
            if (name.isPresent() && address.isPresent() && pod.isPresent()) {
                nodes.add(new Located<>(new ClusterNode(name.get(), address.get(), pod.get(), n.location()),
                        f.get("podCIDR").value().location()));
            }
        }
    }

    /**
     * The entries of a mapping of names to things ({@code sets}, {@code services}) whose names are valid; an
     * invalid name, or a value that is not a mapping, is reported.
     */
    private List<YamlNode.Entry> namedEntries(YamlNode.Entry entry, String section, String things, String thing) {
        if (!(entry.value() instanceof YamlNode.Mapping m)) {
            diagnostics.error(entry.value().location(), section + " must be a mapping of names to " + things
                    + ", not " + entry.value().kind());
            return List.of();
        }
        List<YamlNode.Entry> out = new ArrayList<>();
        for (YamlNode.Entry e : m.entries()) {
            if (!NAME.matcher(e.key().value()).matches()) {
                diagnostics.error(e.key().location(), thing + " name '" + e.key().value() + "' is not a valid name",
                        "use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
                continue;
            }
            out.add(e);
        }
        return out;
    }

    private void readSetsRaw(YamlNode.Entry entry) {
        if (entry == null) {
            return;
        }
        for (YamlNode.Entry e : namedEntries(entry, "sets", "lists", "set")) {
            rawSets.put(e.key().value(), new RawSet(e.key().value(), e.value(), e.key().location()));
        }
    }

    /**
     * Resolves a set by name, flattening nested {@code $set} references; empty (error reported at {@code from})
     * when undefined, cyclic or invalid.
     */
    private Optional<NamedSet> resolveSet(String name, Location from) {
        NamedSet done = resolvedSets.get(name);
        if (done != null) {
            return Optional.of(done);
        }
        if (failedSets.contains(name)) {
            return Optional.empty();
        }
        RawSet raw = rawSets.get(name);
        if (raw == null) {
            Optional<String> near = Suggestions.closest(name, rawSets.keySet());
            diagnostics.error(from, "undefined set '$" + name + "'",
                    near.map(s -> "did you mean '$" + s + "'?").orElse("define it under 'sets'"));
            return Optional.empty();
        }
        if (!resolving.add(name)) {
            diagnostics.error(from, "set '" + name + "' refers to itself through '$" + name + "'");
            return Optional.empty();
        }
        Optional<NamedSet> result = Optional.empty();
        try {
            result = resolveSetItems(name, raw);
            return result;
        } finally {
            resolving.remove(name);
            if (result.isEmpty()) {
                failedSets.add(name);
            }
        }
    }

    private Optional<NamedSet> resolveSetItems(String name, RawSet raw) {
        {
            List<YamlNode> list = items(new YamlNode.Entry(new YamlNode.Scalar(name, true, raw.location()),
                    raw.node()), "set '" + name + "'");
            if (list == null) {
                return Optional.empty();
            }
            List<IpPrefix> addresses = new ArrayList<>();
            List<PortRange> ports = new ArrayList<>();
            Location firstAddress = null;
            Location firstPort = null;
            boolean ok = true;
            for (YamlNode n : list) {
                Optional<String> t = text(n, "set entry");
                if (t.isEmpty()) {
                    ok = false;
                    continue;
                }
                String s = t.get();
                if (s.startsWith("$")) {
                    Optional<NamedSet> inner = resolveSet(s.substring(1), n.location());
                    if (inner.isEmpty()) {
                        ok = false;
                    } else if (inner.get() instanceof NamedSet.Addresses a) {
                        addresses.addAll(a.prefixes());
                        firstAddress = firstAddress == null ? n.location() : firstAddress;
                    } else if (inner.get() instanceof NamedSet.Ports p) {
                        ports.addAll(p.ranges());
                        firstPort = firstPort == null ? n.location() : firstPort;
                    }
                } else if (looksLikePort(s)) {
                    Optional<PortRange> r = portRange(s, n.location());
                    r.ifPresent(ports::add);
                    ok &= r.isPresent();
                    firstPort = firstPort == null ? n.location() : firstPort;
                } else {
                    try {
                        addresses.add(IpPrefix.parse(s));
                    } catch (IllegalArgumentException e) {
                        diagnostics.error(n.location(), "malformed set entry: " + e.getMessage());
                        ok = false;
                    }
                    firstAddress = firstAddress == null ? n.location() : firstAddress;
                }
            }
            if (firstAddress != null && firstPort != null) {
                Location later = firstAddress.line() > firstPort.line()
                        || (firstAddress.line() == firstPort.line() && firstAddress.column() > firstPort.column())
                        ? firstAddress : firstPort;
                diagnostics.error(later, "set '" + name + "' mixes addresses and ports",
                        "make one set of addresses and another of ports");
                return Optional.empty();
            }
            if (!ok) {
                return Optional.empty();
            }
            NamedSet set = firstPort != null
                    ? new NamedSet.Ports(name, ports, raw.location())
                    : new NamedSet.Addresses(name, addresses, raw.location());
            resolvedSets.put(name, set);
            return Optional.of(set);
        }
    }

    private void readServices(YamlNode.Entry entry) {
        if (entry == null) {
            return;
        }
        for (YamlNode.Entry e : namedEntries(entry, "services", "services", "service")) {
            String name = e.key().value();
            Map<String, YamlNode.Entry> f = fields(e.value(), "service '" + name + "'", SERVICE_KEYS,
                    orderedSet("listen", "endpoints"));
            if (f == null) {
                continue;
            }
            Transport transport = Transport.TCP;
            if (f.containsKey("protocol")) {
                Optional<String> t = text(f.get("protocol").value(), "service protocol");
                if (t.isPresent()) {
                    switch (t.get()) {
                        case "tcp" -> transport = Transport.TCP;
                        case "udp" -> transport = Transport.UDP;
                        default -> diagnostics.error(f.get("protocol").value().location(),
                                "unknown service protocol '" + t.get() + "'", "a service is tcp or udp");
                    }
                }
            }
            List<HostPort> listen = new ArrayList<>();
            if (f.containsKey("listen")) {
                List<YamlNode> items = items(f.get("listen"), "service '" + name + "' listen");
                for (YamlNode n : items == null ? List.<YamlNode>of() : items) {
                    Optional<HostPort> hp = hostPort(n, "listener");
                    if (hp.isEmpty()) {
                        continue;
                    }
                    Transport other = listenerTransport.get(hp.get());
                    if (other == transport) {
                        diagnostics.error(n.location(), "listener " + hp.get() + "/" + transport.word()
                                + " is already used by another service");
                        continue;
                    }
                    listenerTransport.put(hp.get(), transport);
                    listen.add(hp.get());
                    listeners.add(new Located<>(hp.get(), n.location()));
                }
            }
            List<HostPort> eps = new ArrayList<>();
            if (f.containsKey("endpoints")) {
                List<YamlNode> items = items(f.get("endpoints"), "service '" + name + "' endpoints");
                Set<HostPort> seen = new HashSet<>();
                for (YamlNode n : items == null ? List.<YamlNode>of() : items) {
                    Optional<HostPort> hp = hostPort(n, "endpoint");
                    if (hp.isEmpty()) {
                        continue;
                    }
                    if (!seen.add(hp.get())) {
                        diagnostics.warning(n.location(), "endpoint " + hp.get() + " is listed twice in service '"
                                + name + "'");
                        continue;
                    }
                    eps.add(hp.get());
                    endpoints.add(new Located<>(hp.get(), n.location()));
                }
            }
            if (f.containsKey("description")) {
                text(f.get("description").value(), "service description");
            }
            String what = "service '" + name + "'";
            Balance balance = Balance.ROUND_ROBIN;
            if (f.containsKey("balance")) {
                YamlNode b = f.get("balance").value();
                balance = text(b, what + " balance").flatMap(t -> {
                    Optional<Balance> found = Balance.of(t);
                    if (found.isEmpty()) {
                        diagnostics.error(b.location(), "unknown balance '" + t + "' in " + what,
                                "use round-robin, least-connections or maglev");
                    }
                    return found;
                }).orElse(Balance.ROUND_ROBIN);
            }
            HealthCheck health = f.containsKey("healthCheck")
                    ? readHealthCheck(f.get("healthCheck").value(), what) : HealthCheck.DEFAULT;
            ServiceLimits limits = f.containsKey("limits")
                    ? readLimits(f.get("limits").value(), what) : ServiceLimits.NONE;
            Timeouts defaults = transport == Transport.TCP ? Timeouts.TCP_DEFAULT : Timeouts.UDP_DEFAULT;
            Timeouts timeouts = f.containsKey("timeouts")
                    ? readTimeouts(f.get("timeouts").value(), what, defaults) : defaults;
            boolean proxyProtocol = false;
            if (f.containsKey("proxyProtocol")) {
                YamlNode pp = f.get("proxyProtocol").value();
                Optional<String> t = text(pp, what + " proxyProtocol");
                if (t.isPresent()) {
                    switch (t.get()) {
                        case "v2" -> proxyProtocol = true;
                        case "off" -> proxyProtocol = false;
                        default -> diagnostics.error(pp.location(), "unknown proxyProtocol '" + t.get() + "' in "
                                + what, "use v2 (send a PROXY protocol v2 header to endpoints) or off");
                    }
                }
                if (proxyProtocol && transport == Transport.UDP) {
                    diagnostics.error(pp.location(), what + ": the PROXY protocol is for tcp services");
                }
            }
            services.put(name, new Service(name, listen, transport, eps, balance, health, limits, timeouts,
                    proxyProtocol, e.key().location()));
        }
    }

    private HealthCheck readHealthCheck(YamlNode node, String what) {
        Map<String, YamlNode.Entry> f = fields(node, what + " healthCheck", HEALTH_KEYS, Set.of());
        if (f == null) {
            return HealthCheck.DEFAULT;
        }
        HealthCheck d = HealthCheck.DEFAULT;
        boolean enabled = !f.containsKey("enabled") || bool(f.get("enabled").value(), "healthCheck enabled")
                .orElse(true);
        java.time.Duration interval = f.containsKey("interval")
                ? duration(f.get("interval").value(), "healthCheck interval").orElse(d.interval()) : d.interval();
        java.time.Duration timeout = f.containsKey("timeout")
                ? duration(f.get("timeout").value(), "healthCheck timeout").orElse(d.timeout()) : d.timeout();
        int rise = f.containsKey("rise") ? count(f.get("rise").value(), "healthCheck rise", 1, 100).orElse(d.rise())
                : d.rise();
        int fall = f.containsKey("fall") ? count(f.get("fall").value(), "healthCheck fall", 1, 100).orElse(d.fall())
                : d.fall();
        if (timeout.compareTo(interval) > 0 && f.containsKey("timeout")) {
            diagnostics.error(f.get("timeout").value().location(), "healthCheck timeout " + timeout.toMillis()
                    + "ms is longer than its interval " + interval.toMillis() + "ms in " + what);
            timeout = interval;
        }
        return new HealthCheck(enabled, interval, timeout, rise, fall);
    }

    private ServiceLimits readLimits(YamlNode node, String what) {
        Map<String, YamlNode.Entry> f = fields(node, what + " limits", LIMIT_KEYS, Set.of());
        if (f == null) {
            return ServiceLimits.NONE;
        }
        int max = f.containsKey("maxConnections")
                ? count(f.get("maxConnections").value(), "maxConnections", 0, 100_000_000).orElse(0) : 0;
        int perSource = f.containsKey("perSourceConnections")
                ? count(f.get("perSourceConnections").value(), "perSourceConnections", 0, 100_000_000).orElse(0) : 0;
        double rate = 0;
        if (f.containsKey("perSourceRate")) {
            YamlNode r = f.get("perSourceRate").value();
            Optional<String> t = text(r, "perSourceRate");
            if (t.isPresent()) {
                String s = t.get().endsWith("/s") ? t.get().substring(0, t.get().length() - 2).strip() : t.get();
                try {
                    rate = Double.parseDouble(s);
                    if (!(rate >= 0 && rate <= 1e9) || s.contains("e") || s.contains("E")) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException ex) {
                    diagnostics.error(r.location(), "perSourceRate '" + t.get() + "' is not a rate",
                            "write new connections per second, like 20 or 20/s or 0.5/s");
                    rate = 0;
                }
            }
        }
        int burst = f.containsKey("perSourceBurst")
                ? count(f.get("perSourceBurst").value(), "perSourceBurst", 1, 100_000_000).orElse(1)
                : (int) Math.max(1, Math.ceil(rate));
        if (rate == 0) {
            burst = 0;
        }
        return new ServiceLimits(max, perSource, rate, burst);
    }

    private Timeouts readTimeouts(YamlNode node, String what, Timeouts defaults) {
        Map<String, YamlNode.Entry> f = fields(node, what + " timeouts", TIMEOUT_KEYS, Set.of());
        if (f == null) {
            return defaults;
        }
        java.time.Duration connect = f.containsKey("connect")
                ? duration(f.get("connect").value(), "connect timeout").orElse(defaults.connect()) : defaults.connect();
        java.time.Duration idle = f.containsKey("idle")
                ? duration(f.get("idle").value(), "idle timeout").orElse(defaults.idle()) : defaults.idle();
        return new Timeouts(connect, idle);
    }

    private Optional<java.time.Duration> duration(YamlNode node, String what) {
        return values.duration(node, what);
    }

    private Optional<Integer> count(YamlNode node, String what, int min, int max) {
        return values.count(node, what, min, max);
    }

    private List<Rule> readRules(YamlNode.Entry entry) {
        List<Rule> rules = new ArrayList<>();
        if (entry == null) {
            return rules;
        }
        if (!(entry.value() instanceof YamlNode.Sequence seq)) {
            diagnostics.error(entry.value().location(), "rules must be a list, not " + entry.value().kind());
            return rules;
        }
        Map<String, Location> names = new HashMap<>();
        int number = 0;
        for (YamlNode n : seq.items()) {
            number++;
            readRule(n, number, names).ifPresent(rules::add);
        }
        return rules;
    }

    private Optional<Rule> readRule(YamlNode node, int number, Map<String, Location> names) {
        Map<String, YamlNode.Entry> f = fields(node, ruleLabel(node, number), RULE_KEYS,
                orderedSet("name", "action"));
        if (f == null) {
            return Optional.empty();
        }
        int errorsBefore = diagnostics.errorCount();
        String name = "";
        if (f.containsKey("name")) {
            name = name(f.get("name").value(), "rule name").orElse("");
            if (!name.isEmpty()) {
                Location first = names.putIfAbsent(name, f.get("name").value().location());
                if (first != null) {
                    diagnostics.error(f.get("name").value().location(), "duplicate rule name '" + name
                            + "' (first at line " + first.line() + ")", "rule names must be unique");
                }
            }
        }
        String what = name.isEmpty() ? "rule " + number : "rule '" + name + "'";
        List<IpPrefix> sources = new ArrayList<>();
        if (f.containsKey("source")) {
            addresses(f.get("source"), what + " source", false, sources, null);
        }
        List<IpPrefix> destinations = new ArrayList<>();
        List<HostPort> targets = new ArrayList<>();
        if (f.containsKey("destination")) {
            addresses(f.get("destination"), what + " destination", true, destinations, targets);
        }
        List<PortRange> sourcePorts = f.containsKey("sourcePorts")
                ? ports(f.get("sourcePorts"), what + " sourcePorts") : List.of();
        List<PortRange> destinationPorts = f.containsKey("destinationPorts")
                ? ports(f.get("destinationPorts"), what + " destinationPorts") : List.of();
        OptionalInt protocol = OptionalInt.empty();
        if (f.containsKey("protocol")) {
            YamlNode p = f.get("protocol").value();
            Optional<String> t = text(p, what + " protocol");
            if (t.isPresent()) {
                try {
                    protocol = IpProtocols.parse(t.get());
                } catch (IllegalArgumentException e) {
                    Optional<String> near = Suggestions.closest(t.get(), IpProtocols.names());
                    diagnostics.error(p.location(), e.getMessage() + " in " + what, near
                            .map(s -> "did you mean '" + s + "'?")
                            .orElse("use one of " + String.join(", ", IpProtocols.names()) + ", or 0-255"));
                }
            }
            if (protocol.isPresent() && !IpProtocols.hasPorts(protocol.getAsInt())
                    && (f.containsKey("sourcePorts") || f.containsKey("destinationPorts"))) {
                diagnostics.error(p.location(), what + " matches ports, but protocol "
                        + IpProtocols.name(protocol.getAsInt()) + " has none",
                        "ports apply to tcp, udp and sctp; remove the ports or change the protocol");
            }
        }
        Action action = f.containsKey("action") ? readAction(f.get("action").value()).orElse(null) : null;
        boolean log = f.containsKey("log") && bool(f.get("log").value(), what + " log").orElse(false);
        Optional<String> description = f.containsKey("description")
                ? text(f.get("description").value(), what + " description") : Optional.empty();
        checkFamilies(node.location(), what, sources, destinations, targets);
        if (diagnostics.errorCount() > errorsBefore || action == null || name.isEmpty()) {
            return Optional.empty();
        }
        long destinationBoxes = (destinations.isEmpty() && targets.isEmpty() ? 1 : destinations.size())
                * (long) Math.max(1, destinationPorts.size())
                + targets.size() * (long) Math.max(1, destinationPorts.size());
        long boxes = (long) Math.max(1, sources.size()) * Math.max(1, sourcePorts.size()) * destinationBoxes;
        if (boxes > MAX_BOXES_PER_RULE) {
            diagnostics.error(node.location(), what + " expands into " + boxes + " match boxes (sources x ports x "
                    + "destinations x ports), more than " + MAX_BOXES_PER_RULE,
                    "use wider prefixes or port ranges, or split the rule");
            return Optional.empty();
        }
        return Optional.of(new Rule(number, name, node.location(), sources, sourcePorts, destinations, targets,
                destinationPorts, protocol, action, log, description));
    }

    /** "rule 'NAME'" when the rule has a readable name, else "rule N": for messages before the name is checked. */
    private static String ruleLabel(YamlNode node, int number) {
        if (node instanceof YamlNode.Mapping m) {
            for (YamlNode.Entry e : m.entries()) {
                if (e.key().value().equals("name") && e.value() instanceof YamlNode.Scalar s && !s.isNull()
                        && NAME.matcher(s.value()).matches()) {
                    return "rule '" + s.value() + "'";
                }
            }
        }
        return "rule " + number;
    }

    private void checkFamilies(Location at, String what, List<IpPrefix> sources, List<IpPrefix> destinations,
                               List<HostPort> targets) {
        if (sources.isEmpty() || (destinations.isEmpty() && targets.isEmpty())) {
            return;
        }
        Set<IpFamily> src = new HashSet<>();
        sources.forEach(p -> src.add(p.family()));
        Set<IpFamily> dst = new HashSet<>();
        destinations.forEach(p -> dst.add(p.family()));
        targets.forEach(t -> dst.add(t.address().family()));
        src.retainAll(dst);
        if (src.isEmpty()) {
            diagnostics.error(at, what + " can never match: its sources and destinations are of different "
                    + "address families (IPv4 and IPv6)");
        }
    }

    /**
     * Reads an address list: literals, CIDRs, {@code $set}s and, for a destination, {@code service:NAME}.
     * Resolved prefixes go to {@code out}, service listeners to {@code targets}.
     */
    private void addresses(YamlNode.Entry entry, String what, boolean destination, List<IpPrefix> out,
                           List<HostPort> targets) {
        List<YamlNode> items = items(entry, what);
        if (items == null) {
            return;
        }
        for (YamlNode n : items) {
            Optional<String> t = text(n, what + " entry");
            if (t.isEmpty()) {
                continue;
            }
            String s = t.get();
            if (s.startsWith("$")) {
                setOf(NamedSet.Addresses.class, s, n).ifPresent(a -> {
                    out.addAll(a.prefixes());
                    if (destination) {
                        a.prefixes().forEach(p -> ruleDestinations.add(new Located<>(p, n.location())));
                    }
                });
            } else if (s.startsWith("service:")) {
                String svc = s.substring("service:".length());
                if (!destination) {
                    diagnostics.error(n.location(), "'" + s + "' in " + what
                            + ": a service can only be a destination");
                    continue;
                }
                Service service = services.get(svc);
                if (service == null) {
                    Optional<String> near = Suggestions.closest(svc, services.keySet());
                    diagnostics.error(n.location(), "undefined service '" + svc + "' in " + what, near
                            .map(x -> "did you mean 'service:" + x + "'?").orElse("define it under 'services'"));
                    continue;
                }
                targets.addAll(service.listen());
            } else if (s.equals("any") || s.equals("*")) {
                diagnostics.error(n.location(), "'" + s + "' is not an address in " + what,
                        "leave '" + entry.key().value() + "' out to match any address");
            } else {
                try {
                    IpPrefix p = IpPrefix.parse(s);
                    out.add(p);
                    if (destination) {
                        ruleDestinations.add(new Located<>(p, n.location()));
                    }
                } catch (IllegalArgumentException e) {
                    diagnostics.error(n.location(), "malformed address in " + what + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * The set a {@code $NAME} reference names, when it is of the wanted kind; an undefined set or one of the other
     * kind is reported at the reference.
     */
    private <T extends NamedSet> Optional<T> setOf(Class<T> kind, String reference, YamlNode at) {
        Optional<NamedSet> set = resolveSet(reference.substring(1), at.location());
        if (set.isEmpty()) {
            return Optional.empty();
        }
        if (!kind.isInstance(set.get())) {
            boolean wantAddresses = kind == NamedSet.Addresses.class;
            diagnostics.error(at.location(), "'" + reference + "' is a set of "
                    + (wantAddresses ? "ports, not of addresses" : "addresses, not of ports"), wantAddresses
                    ? "use it under sourcePorts or destinationPorts" : "use it under source or destination");
            return Optional.empty();
        }
        return Optional.of(kind.cast(set.get()));
    }

    private List<PortRange> ports(YamlNode.Entry entry, String what) {
        List<PortRange> out = new ArrayList<>();
        List<YamlNode> items = items(entry, what);
        if (items == null) {
            return out;
        }
        for (YamlNode n : items) {
            Optional<String> t = text(n, what + " entry");
            if (t.isEmpty()) {
                continue;
            }
            String s = t.get();
            if (s.startsWith("$")) {
                setOf(NamedSet.Ports.class, s, n).ifPresent(r -> out.addAll(r.ranges()));
            } else {
                portRange(s, n.location()).ifPresent(out::add);
            }
        }
        return out;
    }

    private static boolean looksLikePort(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '-' || c == ' ')
                && Character.isDigit(s.charAt(0));
    }

    /** Parses {@code PORT} or {@code LO-HI}; empty (error reported) when malformed, out of range or reversed. */
    private Optional<PortRange> portRange(String s, Location at) {
        int dash = s.indexOf('-');
        String lo = dash < 0 ? s : s.substring(0, dash).strip();
        String hi = dash < 0 ? s : s.substring(dash + 1).strip();
        if (!isDigits(lo) || !isDigits(hi)) {
            diagnostics.error(at, "malformed port '" + s + "'", "write a port (443) or a range (8000-8099)");
            return Optional.empty();
        }
        long l = Long.parseLong(lo);
        long h = Long.parseLong(hi);
        if (l > 65535 || h > 65535) {
            diagnostics.error(at, "port '" + s + "' is outside 0-65535");
            return Optional.empty();
        }
        if (l > h) {
            diagnostics.error(at, "port range '" + s + "' is reversed", "write it as " + h + "-" + l);
            return Optional.empty();
        }
        return Optional.of(new PortRange((int) l, (int) h));
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private Optional<Action> readAction(YamlNode node) {
        Optional<String> t = text(node, "action");
        if (t.isEmpty()) {
            return Optional.empty();
        }
        for (Action a : Action.values()) {
            if (a.word().equals(t.get())) {
                return Optional.of(a);
            }
        }
        List<String> words = java.util.Arrays.stream(Action.values()).map(Action::word).toList();
        Optional<String> near = Suggestions.closest(t.get(), words);
        diagnostics.error(node.location(), "unknown action '" + t.get() + "'",
                near.map(s -> "did you mean '" + s + "'?").orElse("use accept, drop or reject"));
        return Optional.empty();
    }

    private static <T> List<T> values(List<Located<T>> located) {
        return located.stream().map(Located::value).toList();
    }

    private static Set<String> orderedSet(String... keys) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(keys)));
    }
}
