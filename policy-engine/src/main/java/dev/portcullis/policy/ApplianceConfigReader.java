package dev.portcullis.policy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code appliance.yaml} with the same safe YAML reader and diagnostics as policies.
 *
 * <pre>{@code
 * ApplianceConfig config = ApplianceConfigReader.read(Path.of("/etc/portcullis"));
 * }</pre>
 */
public final class ApplianceConfigReader {

    public static final String FILE_NAME = "appliance.yaml";

    /** The highest CPU number {@code cpuAffinity} takes: the kernel's usual limit (glibc's CPU_SETSIZE) less one. */
    static final int MAX_CPU = 1023;
    static final Set<String> TOP_KEYS = keys("node", "policy", "management", "dataPlane", "logging", "routes",
            "state", "ssh", "users", "metrics", "snmp");
    static final Set<String> MANAGEMENT_KEYS = keys("address");
    static final Set<String> DATA_PLANE_KEYS = keys("ioThreads", "maxConnections", "maxUdpFlowsPerListener",
            "closeDeniedOnReload", "drainTimeout", "cpuAffinity", "transport");
    static final Set<String> LOGGING_KEYS = keys("directory", "decisionsPerSecond");
    static final Set<String> ROUTES_KEYS = keys("manage", "protocol");
    static final Set<String> STATE_KEYS = keys("directory", "keepRevisions");
    static final Set<String> SSH_KEYS = keys("port", "hostKeys", "uploads", "passwordLogin", "idleTimeout",
            "maxSessions", "maxSessionsPerUser", "lockout", "auditMaxSize", "auditFiles");
    static final Set<String> LOCKOUT_KEYS = keys("delayAfter", "delay", "lockAfter", "window", "duration");
    static final Set<String> USER_KEYS = keys("name", "role", "keys", "password");

    /** A console user name: what OpenSSH clients and audit lines handle without quoting. */
    private static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");


    private ApplianceConfigReader() {
    }

    /**
     * Reads {@code DIR/appliance.yaml}.
     *
     * @throws PolicyException with every problem and its place when the file is invalid
     * @throws IOException when it cannot be read
     */
    public static ApplianceConfig read(Path directory) throws IOException, PolicyException {
        Path file = directory.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
        return parse(directory, file.toString(), text);
    }

    static ApplianceConfig parse(Path directory, String source, String text) throws PolicyException {
        Diagnostics d = new Diagnostics();
        Optional<YamlNode> root = new YamlTreeReader(source, d).read(new StringReader(text));
        ApplianceConfig config = root.map(r -> new Reader(d).read(directory, r)).orElse(null);
        if (d.hasErrors() || config == null) {
            throw new PolicyException(d.sorted());
        }
        return config;
    }

    /** Field readers over one document; reports into the shared diagnostics. */
    private static final class Reader {
        private final Diagnostics d;
        private final YamlValues values;

        Reader(Diagnostics d) {
            this.d = d;
            this.values = new YamlValues(d);
        }

        ApplianceConfig read(Path directory, YamlNode root) {
            Map<String, YamlNode.Entry> top = fields(root, "appliance.yaml", TOP_KEYS, keys("node", "policy"));
            if (top == null) {
                return null;
            }
            String node = top.containsKey("node") ? text(top.get("node").value(), "node").orElse("") : "";
            Path policy = top.containsKey("policy")
                    ? directory.resolve(text(top.get("policy").value(), "policy").orElse("policy.yaml"))
                    : directory.resolve("policy.yaml");
            Optional<IpAddress> mgmt = Optional.empty();
            if (top.containsKey("management")) {
                Map<String, YamlNode.Entry> m = fields(top.get("management").value(), "management", MANAGEMENT_KEYS,
                        Set.of());
                if (m != null && m.containsKey("address")) {
                    YamlNode a = m.get("address").value();
                    mgmt = text(a, "management address").flatMap(t -> {
                        try {
                            return Optional.of(IpAddress.parse(t));
                        } catch (IllegalArgumentException e) {
                            d.error(a.location(), "malformed management address: " + e.getMessage());
                            return Optional.empty();
                        }
                    });
                }
            }
            ApplianceConfig.DataPlane dp = ApplianceConfig.DataPlane.DEFAULT;
            if (top.containsKey("dataPlane")) {
                Map<String, YamlNode.Entry> m = fields(top.get("dataPlane").value(), "dataPlane", DATA_PLANE_KEYS,
                        Set.of());
                if (m != null) {
                    dp = new ApplianceConfig.DataPlane(
                            number(m, "ioThreads", 0, 1024, dp.ioThreads()),
                            number(m, "maxConnections", 0, 100_000_000, dp.maxConnections()),
                            number(m, "maxUdpFlowsPerListener", 1, 10_000_000, dp.maxUdpFlowsPerListener()),
                            flag(m, "closeDeniedOnReload", dp.closeDeniedOnReload()),
                            m.containsKey("drainTimeout") ? duration(m.get("drainTimeout").value(), "drainTimeout")
                                    .orElse(dp.drainTimeout()) : dp.drainTimeout(),
                            m.containsKey("cpuAffinity") ? cpuAffinity(m.get("cpuAffinity").value())
                                    : dp.cpuAffinity(),
                            m.containsKey("transport") ? transport(m.get("transport").value()) : dp.transport());
                }
            }
            ApplianceConfig.Logging logging = new ApplianceConfig.Logging(directory.resolve("logs"), 100);
            if (top.containsKey("logging")) {
                Map<String, YamlNode.Entry> m = fields(top.get("logging").value(), "logging", LOGGING_KEYS, Set.of());
                if (m != null) {
                    Path dir = m.containsKey("directory")
                            ? directory.resolve(text(m.get("directory").value(), "logging directory").orElse("logs"))
                            : logging.directory();
                    logging = new ApplianceConfig.Logging(dir, number(m, "decisionsPerSecond", 0, 1_000_000, 100));
                }
            }
            ApplianceConfig.Routes routes = new ApplianceConfig.Routes(false, ApplianceConfig.Routes.DEFAULT_PROTOCOL);
            if (top.containsKey("routes")) {
                Map<String, YamlNode.Entry> m = fields(top.get("routes").value(), "routes", ROUTES_KEYS, Set.of());
                if (m != null) {
                    routes = new ApplianceConfig.Routes(flag(m, "manage", false),
                            number(m, "protocol", 1, 255, ApplianceConfig.Routes.DEFAULT_PROTOCOL));
                }
            }
            ApplianceConfig.State state = new ApplianceConfig.State(directory.resolve("state"),
                    ApplianceConfig.State.MIN_KEEP_REVISIONS);
            if (top.containsKey("state")) {
                Map<String, YamlNode.Entry> m = fields(top.get("state").value(), "state", STATE_KEYS, Set.of());
                if (m != null) {
                    Path dir = m.containsKey("directory")
                            ? directory.resolve(text(m.get("directory").value(), "state directory").orElse("state"))
                            : state.directory();
                    state = new ApplianceConfig.State(dir, number(m, "keepRevisions",
                            ApplianceConfig.State.MIN_KEEP_REVISIONS, ApplianceConfig.State.MAX_KEEP_REVISIONS,
                            state.keepRevisions()));
                }
            }
            Optional<ApplianceConfig.Ssh> ssh = Optional.empty();
            if (top.containsKey("ssh")) {
                YamlNode.Entry e = top.get("ssh");
                ssh = ssh(directory, e.value());
                if (mgmt.isEmpty()) {
                    d.error(e.key().location(), "ssh needs management.address: the console listens only there");
                }
            }
            List<ApplianceConfig.User> users = top.containsKey("users") ? users(top.get("users").value()) : List.of();
            MonitoringConfigReader monitoring = new MonitoringConfigReader(d, values);
            Optional<IpAddress> management = mgmt;
            Optional<ApplianceConfig.Metrics> metrics = Optional.ofNullable(top.get("metrics"))
                    .flatMap(e -> monitoring.metrics(e.value(), management));
            Optional<ApplianceConfig.Snmp> snmp = Optional.ofNullable(top.get("snmp"))
                    .flatMap(e -> monitoring.snmp(e.value(), management));
            return new ApplianceConfig(directory, node, policy, mgmt, dp, logging, routes, state, ssh, users,
                    metrics, snmp);
        }

        private Optional<ApplianceConfig.Ssh> ssh(Path directory, YamlNode node) {
            ApplianceConfig.Ssh dflt = ApplianceConfig.Ssh.defaults(directory);
            if (node instanceof YamlNode.Scalar s && s.isNull()) {
                return Optional.of(dflt);
            }
            Map<String, YamlNode.Entry> m = fields(node, "ssh", SSH_KEYS, Set.of());
            if (m == null) {
                return Optional.empty();
            }
            ApplianceConfig.Lockout lockout = ApplianceConfig.Lockout.DEFAULT;
            if (m.containsKey("lockout")) {
                Map<String, YamlNode.Entry> l = fields(m.get("lockout").value(), "lockout", LOCKOUT_KEYS, Set.of());
                if (l != null) {
                    ApplianceConfig.Lockout def = lockout;
                    lockout = new ApplianceConfig.Lockout(
                            number(l, "delayAfter", 1, 1000, def.delayAfter()),
                            durationOr(l, "delay", def.delay()),
                            number(l, "lockAfter", 1, 1000, def.lockAfter()),
                            durationOr(l, "window", def.window()),
                            durationOr(l, "duration", def.duration()));
                    if (lockout.lockAfter() < lockout.delayAfter() && l.containsKey("lockAfter")) {
                        d.error(l.get("lockAfter").value().location(), "lockAfter " + lockout.lockAfter()
                                + " is below delayAfter " + lockout.delayAfter());
                    }
                }
            }
            long auditMaxSize = dflt.auditMaxSize();
            if (m.containsKey("auditMaxSize")) {
                auditMaxSize = values.size(m.get("auditMaxSize").value(), "auditMaxSize", 4096)
                        .orElse(auditMaxSize);
            }
            return Optional.of(new ApplianceConfig.Ssh(
                    number(m, "port", 1, 65535, dflt.port()),
                    pathOr(directory, m, "hostKeys", dflt.hostKeys()),
                    pathOr(directory, m, "uploads", dflt.uploads()),
                    flag(m, "passwordLogin", dflt.passwordLogin()),
                    durationOr(m, "idleTimeout", dflt.idleTimeout()),
                    number(m, "maxSessions", 1, 10_000, dflt.maxSessions()),
                    number(m, "maxSessionsPerUser", 1, 10_000, dflt.maxSessionsPerUser()),
                    lockout,
                    auditMaxSize,
                    number(m, "auditFiles", 1, 100, dflt.auditFiles())));
        }

        /** {@code epoll}, {@code io_uring} or {@code nio}. */
        private IoTransport transport(YamlNode node) {
            Optional<String> word = text(node, "transport");
            if (word.isEmpty()) {
                return IoTransport.EPOLL;
            }
            Optional<IoTransport> t = IoTransport.ofWord(word.get());
            if (t.isEmpty()) {
                d.error(node.location(), "unknown transport '" + word.get() + "'",
                        "transport is epoll (the default), io_uring or nio");
                return IoTransport.EPOLL;
            }
            return t.get();
        }

        /** {@code auto}, {@code none}, or a list of distinct CPU numbers. */
        private CpuAffinity cpuAffinity(YamlNode node) {
            String hint = "cpuAffinity is auto (each event loop on a CPU of its own), none, or a list of CPU numbers";
            if (node instanceof YamlNode.Sequence seq) {
                List<Integer> cpus = new ArrayList<>();
                boolean ok = !seq.items().isEmpty();
                if (!ok) {
                    d.error(node.location(), "cpuAffinity lists no CPU", hint);
                }
                for (YamlNode item : seq.items()) {
                    Optional<Integer> cpu = values.count(item, "CPU number", 0, MAX_CPU);
                    if (cpu.isEmpty()) {
                        ok = false;
                    } else if (cpus.contains(cpu.get())) {
                        d.error(item.location(), "CPU " + cpu.get() + " is listed twice in cpuAffinity");
                        ok = false;
                    } else {
                        cpus.add(cpu.get());
                    }
                }
                return ok ? new CpuAffinity.Cpus(cpus) : CpuAffinity.AUTO;
            }
            Optional<String> word = text(node, "cpuAffinity");
            if (word.isEmpty()) {
                return CpuAffinity.AUTO;
            }
            return switch (word.get()) {
                case "auto" -> CpuAffinity.AUTO;
                case "none" -> CpuAffinity.NONE;
                default -> {
                    d.error(node.location(), "unknown cpuAffinity '" + word.get() + "'", hint);
                    yield CpuAffinity.AUTO;
                }
            };
        }

        private List<ApplianceConfig.User> users(YamlNode node) {
            if (!(node instanceof YamlNode.Sequence seq)) {
                d.error(node.location(), "users must be a list of users, not " + node.kind());
                return List.of();
            }
            List<ApplianceConfig.User> out = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (YamlNode item : seq.items()) {
                Map<String, YamlNode.Entry> m = fields(item, "a user", USER_KEYS, keys("name", "role"));
                if (m == null || !m.containsKey("name") || !m.containsKey("role")) {
                    continue;
                }
                YamlNode nameNode = m.get("name").value();
                Optional<String> name = text(nameNode, "user name");
                if (name.isPresent() && !USER_NAME.matcher(name.get()).matches()) {
                    d.error(nameNode.location(), "user name '" + name.get() + "' is not valid",
                            "use 1 to 32 of a-z, 0-9, '_', '.', '-', starting with a letter or '_'");
                    name = Optional.empty();
                }
                if (name.isPresent() && !names.add(name.get())) {
                    d.error(nameNode.location(), "user '" + name.get() + "' is declared twice");
                }
                YamlNode roleNode = m.get("role").value();
                Optional<ApplianceConfig.Role> role = text(roleNode, "role").flatMap(r -> {
                    for (ApplianceConfig.Role candidate : ApplianceConfig.Role.values()) {
                        if (candidate.word().equals(r)) {
                            return Optional.of(candidate);
                        }
                    }
                    d.error(roleNode.location(), "unknown role '" + r + "'", "roles: admin, operator, auditor");
                    return Optional.empty();
                });
                List<String> keys = new ArrayList<>();
                if (m.containsKey("keys")) {
                    YamlNode k = m.get("keys").value();
                    if (k instanceof YamlNode.Sequence ks) {
                        for (YamlNode key : ks.items()) {
                            text(key, "public key").filter(t -> publicKey(key, t)).ifPresent(keys::add);
                        }
                    } else {
                        d.error(k.location(), "keys must be a list of OpenSSH public keys, not " + k.kind());
                    }
                }
                Optional<String> password = Optional.empty();
                if (m.containsKey("password")) {
                    YamlNode p = m.get("password").value();
                    password = text(p, "password").filter(t -> {
                        if (PasswordHash.wellFormed(t)) {
                            return true;
                        }
                        d.error(p.location(), "password must be a hash made by 'portcullis hash-password'",
                                "never write a password itself here; the form is $pbkdf2-sha256$i=N$SALT$HASH");
                        return false;
                    });
                }
                if (name.isPresent() && !m.containsKey("keys") && !m.containsKey("password")) {
                    d.error(nameNode.location(), "user '" + name.get() + "' has no keys and no password: they "
                            + "could never log in");
                }
                if (name.isPresent() && role.isPresent()) {
                    out.add(new ApplianceConfig.User(name.get(), role.get(), keys, password, item.location()));
                }
            }
            return out;
        }

        /**
         * Checks an OpenSSH public key line: a type word, base64 whose first field is that same type, and an
         * optional comment. Reports and returns false when it is not one.
         */
        private boolean publicKey(YamlNode node, String line) {
            String[] f = line.split("\\s+", 3);
            if (f.length < 2) {
                d.error(node.location(), "public key must be 'TYPE BASE64 [COMMENT]', as in authorized_keys",
                        "copy the whole line of the .pub file, for example ~/.ssh/id_ed25519.pub");
                return false;
            }
            byte[] blob;
            try {
                blob = Base64.getDecoder().decode(f[1]);
            } catch (IllegalArgumentException e) {
                d.error(node.location(), "public key of type " + f[0] + " is not valid base64: " + e.getMessage());
                return false;
            }
            ByteBuffer b = ByteBuffer.wrap(blob);
            int length = blob.length >= 4 ? b.getInt() : -1;
            if (length < 1 || length > blob.length - 4
                    || !new String(blob, 4, length, StandardCharsets.US_ASCII).equals(f[0])) {
                d.error(node.location(), "public key data does not hold a key of type '" + f[0] + "'",
                        "the line may be cut or mixed from two keys");
                return false;
            }
            return true;
        }

        private Path pathOr(Path directory, Map<String, YamlNode.Entry> m, String key, Path dflt) {
            return m.containsKey(key) ? text(m.get(key).value(), key).map(directory::resolve).orElse(dflt) : dflt;
        }

        private java.time.Duration durationOr(Map<String, YamlNode.Entry> m, String key, java.time.Duration dflt) {
            return m.containsKey(key) ? duration(m.get(key).value(), key).orElse(dflt) : dflt;
        }

        private Map<String, YamlNode.Entry> fields(YamlNode node, String what, Set<String> allowed,
                                                    Set<String> required) {
            return values.fields(node, what, allowed, required);
        }

        private Optional<String> text(YamlNode node, String what) {
            return values.text(node, what);
        }

        private boolean flag(Map<String, YamlNode.Entry> m, String key, boolean dflt) {
            return m.containsKey(key) ? values.bool(m.get(key).value(), key).orElse(dflt) : dflt;
        }

        private int number(Map<String, YamlNode.Entry> m, String key, int min, int max, int dflt) {
            return m.containsKey(key) ? values.count(m.get(key).value(), key, min, max).orElse(dflt) : dflt;
        }

        private Optional<java.time.Duration> duration(YamlNode node, String what) {
            return values.duration(node, what);
        }
    }

    private static Set<String> keys(String... k) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(k)));
    }
}
