package dev.portcullis.policy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code appliance.yaml} with the same safe YAML reader and diagnostics as policies.
 *
 * <pre>{@code
 * ApplianceConfig config = ApplianceConfigReader.read(Path.of("/etc/portcullis"));
 * }</pre>
 */
public final class ApplianceConfigReader {

    public static final String FILE_NAME = "appliance.yaml";

    static final Set<String> TOP_KEYS = keys("node", "policy", "management", "dataPlane", "logging", "routes",
            "state", "metrics", "snmp");
    static final Set<String> MANAGEMENT_KEYS = keys("address");
    static final Set<String> DATA_PLANE_KEYS = keys("ioThreads", "maxConnections", "maxUdpFlowsPerListener",
            "closeDeniedOnReload", "drainTimeout");
    static final Set<String> LOGGING_KEYS = keys("directory", "decisionsPerSecond");
    static final Set<String> ROUTES_KEYS = keys("manage", "protocol");
    static final Set<String> STATE_KEYS = keys("directory", "keepRevisions");

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
                                    .orElse(dp.drainTimeout()) : dp.drainTimeout());
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
            MonitoringConfigReader monitoring = new MonitoringConfigReader(d, values);
            Optional<IpAddress> management = mgmt;
            Optional<ApplianceConfig.Metrics> metrics = Optional.ofNullable(top.get("metrics"))
                    .flatMap(e -> monitoring.metrics(e.value(), management));
            Optional<ApplianceConfig.Snmp> snmp = Optional.ofNullable(top.get("snmp"))
                    .flatMap(e -> monitoring.snmp(e.value(), management));
            return new ApplianceConfig(directory, node, policy, mgmt, dp, logging, routes, state, metrics,
                    snmp);
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
