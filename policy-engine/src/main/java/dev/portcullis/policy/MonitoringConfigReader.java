package dev.portcullis.policy;

import dev.portcullis.policy.ApplianceConfig.BasicAuth;
import dev.portcullis.policy.ApplianceConfig.Community;
import dev.portcullis.policy.ApplianceConfig.Metrics;
import dev.portcullis.policy.ApplianceConfig.Snmp;
import dev.portcullis.policy.ApplianceConfig.SnmpAuth;
import dev.portcullis.policy.ApplianceConfig.SnmpPrivacy;
import dev.portcullis.policy.ApplianceConfig.SnmpUser;
import dev.portcullis.policy.ApplianceConfig.TrapTarget;
import dev.portcullis.policy.ApplianceConfig.TrapVersion;
import dev.portcullis.policy.ApplianceConfig.UsmKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the {@code metrics} and {@code snmp} sections of {@code appliance.yaml}, reporting every problem at its
 * place. Not thread-safe; shares its owner's {@link Diagnostics}.
 *
 * <pre>
 * metrics:
 *   address: 127.0.0.1            # default: the management address
 *   port: 9464
 *   basicAuth: {user: prometheus, passwordHash: "$pbkdf2-sha256$i=600000$...$..."}
 * snmp:
 *   address: 127.0.0.1            # default: the management address
 *   port: 161
 *   community: {name: public, allowedSources: [192.0.2.0/24]}
 *   users:
 *     - {name: nms, auth: sha256, authPassphrase: "...", privacy: aes128, privPassphrase: "..."}
 *   allowUnauthenticatedV3: false
 *   contact: noc@example.net
 *   location: rack 4
 *   notifications:
 *     perMinute: 10
 *     targets:
 *       - {address: 192.0.2.9, port: 162, version: v2c, community: public}
 *       - {address: 192.0.2.9, version: v3, user: nms}
 * </pre>
 */
final class MonitoringConfigReader {

    static final Set<String> METRICS_KEYS = keys("address", "port", "basicAuth");
    static final Set<String> BASIC_AUTH_KEYS = keys("user", "passwordHash");
    static final Set<String> SNMP_KEYS = keys("address", "port", "community", "users", "allowUnauthenticatedV3",
            "contact", "location", "notifications");
    static final Set<String> COMMUNITY_KEYS = keys("name", "allowedSources");
    static final Set<String> USER_KEYS = keys("name", "auth", "authPassphrase", "privacy", "privPassphrase");
    static final Set<String> NOTIFICATIONS_KEYS = keys("perMinute", "targets");
    static final Set<String> TARGET_KEYS = keys("address", "port", "version", "community", "user");

    /** The form of a stored password hash; the monitoring module checks the numbers when it starts. */

    /** USM passphrases shorter than this are refused by RFC 3414 (section 11.2). */
    static final int MIN_PASSPHRASE = 8;

    private final Diagnostics d;
    private final YamlValues values;

    MonitoringConfigReader(Diagnostics d, YamlValues values) {
        this.d = d;
        this.values = values;
    }

    /** The {@code metrics} section; empty (error reported) when it is invalid. */
    Optional<Metrics> metrics(YamlNode node, Optional<IpAddress> management) {
        Map<String, YamlNode.Entry> m = values.fields(node, "metrics", METRICS_KEYS, Set.of());
        if (m == null) {
            return Optional.empty();
        }
        int errors = d.errorCount();
        Optional<IpAddress> address = address(m, "metrics", node, management);
        int port = port(m, "port", Metrics.DEFAULT_PORT);
        Optional<BasicAuth> auth = Optional.empty();
        if (m.containsKey("basicAuth")) {
            YamlNode a = m.get("basicAuth").value();
            Map<String, YamlNode.Entry> b = values.fields(a, "basicAuth", BASIC_AUTH_KEYS, BASIC_AUTH_KEYS);
            if (b != null && b.containsKey("user") && b.containsKey("passwordHash")) {
                Optional<String> user = nonEmpty(b.get("user").value(), "basicAuth user");
                Optional<String> hash = values.text(b.get("passwordHash").value(), "passwordHash");
                user.filter(u -> u.indexOf(':') >= 0).ifPresent(u -> d.error(b.get("user").value().location(),
                        "basicAuth user '" + u + "' must not contain ':'"));
                hash.filter(h -> !PasswordHash.wellFormed(h)).ifPresent(h -> d.error(
                        b.get("passwordHash").value().location(),
                        "passwordHash is not of the form $pbkdf2-sha256$i=ITERATIONS$SALT$HASH",
                        "make one with: portcullis hash-password (never write the password itself here)"));
                if (user.isPresent() && hash.isPresent()) {
                    auth = Optional.of(new BasicAuth(user.get(), hash.get()));
                }
            }
        }
        if (d.errorCount() > errors || address.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Metrics(address.get(), port, auth));
    }

    /** The {@code snmp} section; empty (error reported) when it is invalid. */
    Optional<Snmp> snmp(YamlNode node, Optional<IpAddress> management) {
        Map<String, YamlNode.Entry> m = values.fields(node, "snmp", SNMP_KEYS, Set.of());
        if (m == null) {
            return Optional.empty();
        }
        int errors = d.errorCount();
        Optional<IpAddress> address = address(m, "snmp", node, management);
        int port = port(m, "port", Snmp.DEFAULT_PORT);
        boolean allowUnauthenticated = m.containsKey("allowUnauthenticatedV3")
                && values.bool(m.get("allowUnauthenticatedV3").value(), "allowUnauthenticatedV3").orElse(false);
        Optional<Community> community = m.containsKey("community")
                ? community(m.get("community").value()) : Optional.empty();
        List<SnmpUser> users = m.containsKey("users")
                ? users(m.get("users").value(), allowUnauthenticated) : List.of();
        String contact = m.containsKey("contact") ? values.text(m.get("contact").value(), "contact").orElse("") : "";
        String location = m.containsKey("location")
                ? values.text(m.get("location").value(), "location").orElse("") : "";
        int perMinute = Snmp.DEFAULT_NOTIFICATIONS_PER_MINUTE;
        List<TrapTarget> targets = List.of();
        if (m.containsKey("notifications")) {
            Map<String, YamlNode.Entry> n = values.fields(m.get("notifications").value(), "notifications",
                    NOTIFICATIONS_KEYS, Set.of());
            if (n != null) {
                if (n.containsKey("perMinute")) {
                    perMinute = values.count(n.get("perMinute").value(), "perMinute", 1, 10_000).orElse(perMinute);
                }
                if (n.containsKey("targets")) {
                    targets = targets(n.get("targets").value(), community, users);
                }
            }
        }
        if (community.isEmpty() && users.isEmpty() && d.errorCount() == errors) {
            d.warning(node.location(), "snmp has neither a community nor users: the agent answers no request");
        }
        if (d.errorCount() > errors || address.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Snmp(address.get(), port, community, users, allowUnauthenticated, targets,
                perMinute, contact, location));
    }

    private Optional<IpAddress> address(Map<String, YamlNode.Entry> m, String what, YamlNode section,
                                        Optional<IpAddress> management) {
        if (!m.containsKey("address")) {
            if (management.isEmpty()) {
                d.error(section.location(), what + " has no 'address' and there is no management address",
                        "write " + what + ": {address: ...} or management: {address: ...}");
            }
            return management;
        }
        return ipAddress(m.get("address").value(), what + " address");
    }

    private Optional<IpAddress> ipAddress(YamlNode a, String what) {
        return values.text(a, what).flatMap(t -> {
            try {
                return Optional.of(IpAddress.parse(t));
            } catch (IllegalArgumentException e) {
                d.error(a.location(), "malformed " + what + ": " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    private int port(Map<String, YamlNode.Entry> m, String key, int dflt) {
        return m.containsKey(key) ? values.count(m.get(key).value(), key, 1, 65_535).orElse(dflt) : dflt;
    }

    private Optional<String> nonEmpty(YamlNode node, String what) {
        Optional<String> t = values.text(node, what);
        if (t.isPresent() && t.get().isEmpty()) {
            d.error(node.location(), what + " must not be empty");
            return Optional.empty();
        }
        return t;
    }

    private Optional<Community> community(YamlNode node) {
        Map<String, YamlNode.Entry> c = values.fields(node, "community", COMMUNITY_KEYS, COMMUNITY_KEYS);
        if (c == null || !c.containsKey("name") || !c.containsKey("allowedSources")) {
            return Optional.empty();
        }
        Optional<String> name = nonEmpty(c.get("name").value(), "community name");
        List<IpPrefix> sources = new ArrayList<>();
        YamlNode list = c.get("allowedSources").value();
        if (!(list instanceof YamlNode.Sequence seq) || seq.items().isEmpty()) {
            d.error(list.location(), "allowedSources must be a non-empty list of addresses or prefixes",
                    "v2c sends the community in clear text: name the managers that may use it");
            return Optional.empty();
        }
        for (YamlNode item : seq.items()) {
            values.text(item, "allowed source").ifPresent(t -> {
                try {
                    sources.add(IpPrefix.parse(t));
                } catch (IllegalArgumentException e) {
                    d.error(item.location(), "malformed allowed source: " + e.getMessage());
                }
            });
        }
        return name.map(n -> new Community(n, sources));
    }

    private List<SnmpUser> users(YamlNode node, boolean allowUnauthenticated) {
        if (!(node instanceof YamlNode.Sequence seq)) {
            d.error(node.location(), "users must be a list, not " + node.kind());
            return List.of();
        }
        List<SnmpUser> out = new ArrayList<>();
        Map<String, Location> seen = new HashMap<>();
        for (YamlNode item : seq.items()) {
            Map<String, YamlNode.Entry> u = values.fields(item, "SNMP user", USER_KEYS, Set.of("name"));
            if (u == null || !u.containsKey("name")) {
                continue;
            }
            Optional<String> name = nonEmpty(u.get("name").value(), "user name");
            if (name.isEmpty()) {
                continue;
            }
            Location at = u.get("name").value().location();
            Location before = seen.putIfAbsent(name.get(), at);
            if (before != null) {
                d.error(at, "SNMP user '" + name.get() + "' is defined twice (first at " + before + ")");
                continue;
            }
            Set<String> keyFields = new LinkedHashSet<>(USER_KEYS);
            keyFields.remove("name");
            keyFields.removeIf(k -> !u.containsKey(k));
            if (keyFields.isEmpty()) {
                if (!allowUnauthenticated) {
                    d.error(at, "SNMP user '" + name.get() + "' has no keys, and unauthenticated SNMPv3 is refused",
                            "give it auth, authPassphrase, privacy and privPassphrase, or set "
                                    + "allowUnauthenticatedV3: true");
                    continue;
                }
                out.add(new SnmpUser(name.get(), Optional.empty()));
                continue;
            }
            boolean complete = true;
            for (String k : List.of("auth", "authPassphrase", "privacy", "privPassphrase")) {
                if (!u.containsKey(k)) {
                    d.error(item.location(), "SNMP user '" + name.get() + "' has no '" + k + "'",
                            "a user with keys needs all of auth, authPassphrase, privacy and privPassphrase");
                    complete = false;
                }
            }
            if (!complete) {
                continue;
            }
            Optional<SnmpAuth> auth = choice(u.get("auth").value(), "auth", SnmpAuth.values(), SnmpAuth::key);
            Optional<SnmpPrivacy> priv = choice(u.get("privacy").value(), "privacy", SnmpPrivacy.values(),
                    SnmpPrivacy::key);
            Optional<String> authPass = passphrase(u.get("authPassphrase").value(), "authPassphrase");
            Optional<String> privPass = passphrase(u.get("privPassphrase").value(), "privPassphrase");
            if (auth.isPresent() && priv.isPresent() && authPass.isPresent() && privPass.isPresent()) {
                out.add(new SnmpUser(name.get(), Optional.of(
                        new UsmKeys(auth.get(), authPass.get(), priv.get(), privPass.get()))));
            }
        }
        return out;
    }

    private Optional<String> passphrase(YamlNode node, String what) {
        Optional<String> t = values.text(node, what);
        if (t.isPresent() && t.get().length() < MIN_PASSPHRASE) {
            d.error(node.location(), what + " is shorter than " + MIN_PASSPHRASE + " characters (RFC 3414)");
            return Optional.empty();
        }
        return t;
    }

    private <E> Optional<E> choice(YamlNode node, String what, E[] options, Function<E, String> key) {
        Optional<String> t = values.text(node, what);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        for (E e : options) {
            if (key.apply(e).equals(t.get())) {
                return Optional.of(e);
            }
        }
        d.error(node.location(), what + " '" + t.get() + "' is not one of "
                + String.join(", ", Arrays.stream(options).map(key).toList()));
        return Optional.empty();
    }

    private List<TrapTarget> targets(YamlNode node, Optional<Community> community, List<SnmpUser> users) {
        if (!(node instanceof YamlNode.Sequence seq)) {
            d.error(node.location(), "targets must be a list, not " + node.kind());
            return List.of();
        }
        List<TrapTarget> out = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            Map<String, YamlNode.Entry> t = values.fields(item, "notification target", TARGET_KEYS,
                    Set.of("address", "version"));
            if (t == null || !t.containsKey("address") || !t.containsKey("version")) {
                continue;
            }
            Optional<IpAddress> address = ipAddress(t.get("address").value(), "target address");
            int port = port(t, "port", Snmp.DEFAULT_TRAP_PORT);
            YamlNode v = t.get("version").value();
            Optional<String> version = values.text(v, "version");
            if (version.isEmpty()) {
                continue;
            }
            switch (version.get()) {
                case "v2c" -> {
                    if (t.containsKey("user")) {
                        d.error(t.get("user").key().location(), "a v2c target takes a community, not a user");
                    }
                    Optional<String> c = t.containsKey("community")
                            ? nonEmpty(t.get("community").value(), "target community")
                            : community.map(Community::name);
                    if (c.isEmpty() && !t.containsKey("community")) {
                        d.error(item.location(), "v2c target has no 'community' and snmp has no community to use");
                    }
                    if (address.isPresent() && c.isPresent()) {
                        out.add(new TrapTarget(address.get(), port, TrapVersion.V2C, c.get()));
                    }
                }
                case "v3" -> {
                    if (t.containsKey("community")) {
                        d.error(t.get("community").key().location(), "a v3 target takes a user, not a community");
                    }
                    if (!t.containsKey("user")) {
                        d.error(item.location(), "v3 target has no 'user'");
                        continue;
                    }
                    YamlNode un = t.get("user").value();
                    Optional<String> user = values.text(un, "target user");
                    Optional<SnmpUser> known = user.flatMap(n -> users.stream()
                            .filter(x -> x.name().equals(n)).findFirst());
                    if (user.isPresent() && known.isEmpty()) {
                        d.error(un.location(), "target user '" + user.get() + "' is not one of snmp's users");
                    } else if (known.isPresent() && known.get().keys().isEmpty()) {
                        d.error(un.location(), "target user '" + user.get() + "' has no keys",
                                "notifications are sent authenticated and encrypted");
                    } else if (address.isPresent() && user.isPresent()) {
                        out.add(new TrapTarget(address.get(), port, TrapVersion.V3, user.get()));
                    }
                }
                default -> d.error(v.location(), "version '" + version.get() + "' is not one of v2c, v3");
            }
        }
        return out;
    }

    private static Set<String> keys(String... k) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(k)));
    }
}
