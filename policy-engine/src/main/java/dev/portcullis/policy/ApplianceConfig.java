package dev.portcullis.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The appliance's own settings, from {@code appliance.yaml} in the configuration directory (the policy is a
 * separate file it names).
 *
 * <pre>
 * node: edge1
 * policy: policy.yaml
 * management: {address: 127.0.0.1}
 * dataPlane: {ioThreads: 0, maxConnections: 100000, maxUdpFlowsPerListener: 65536,
 *             closeDeniedOnReload: false, drainTimeout: 30s, cpuAffinity: auto}
 * logging: {directory: logs, decisionsPerSecond: 100}
 * routes: {manage: false}
 * state: {directory: state, keepRevisions: 50}
 * ssh: {port: 22, hostKeys: ssh, uploads: uploads, passwordLogin: false, idleTimeout: 15m,
 *       maxSessions: 16, maxSessionsPerUser: 4,
 *       lockout: {delayAfter: 3, delay: 1s, lockAfter: 10, window: 10m, duration: 15m},
 *       auditMaxSize: 10MB, auditFiles: 5}
 * users:
 *   - {name: alice, role: admin, keys: ["ssh-ed25519 AAAAC3Nza... alice@laptop"]}
 *   - {name: bob, role: auditor, keys: [...], password: "$pbkdf2-sha256$i=600000$...$..."}
 * metrics: {address: 127.0.0.1, port: 9464}
 * snmp: {address: 127.0.0.1, port: 161, community: {name: public, allowedSources: [127.0.0.1]}}
 * </pre>
 *
 * <p>{@code metrics} and {@code snmp} are read by {@link MonitoringConfigReader}; absent means off.
 *
 * @param directory the configuration directory; relative paths in the file are resolved against it
 * @param ssh the SSH console's settings; empty when the file has no {@code ssh} part (no console runs)
 * @param users the people who may log in to the console
 */
public record ApplianceConfig(Path directory, String node, Path policy, Optional<IpAddress> managementAddress,
                              DataPlane dataPlane, Logging logging, Routes routes, State state, Optional<Ssh> ssh,
                              List<User> users, Optional<Metrics> metrics, Optional<Snmp> snmp) {

    public ApplianceConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(managementAddress, "managementAddress");
        Objects.requireNonNull(dataPlane, "dataPlane");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(ssh, "ssh");
        users = List.copyOf(users);
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(snmp, "snmp");
    }

    /**
     * Data plane settings; 0 means "one per core" for threads and "no limit" for connections; {@code cpuAffinity}
     * binds each event loop to a CPU ({@link CpuAffinity#AUTO} by default); {@code transport} is the kernel
     * interface the loops use ({@link IoTransport#EPOLL} by default).
     */
    public record DataPlane(int ioThreads, int maxConnections, int maxUdpFlowsPerListener, boolean closeDeniedOnReload,
                            Duration drainTimeout, CpuAffinity cpuAffinity, IoTransport transport) {
        public static final DataPlane DEFAULT =
                new DataPlane(0, 0, 65_536, false, Duration.ofSeconds(30), CpuAffinity.AUTO, IoTransport.EPOLL);

        public DataPlane {
            Objects.requireNonNull(drainTimeout, "drainTimeout");
            Objects.requireNonNull(cpuAffinity, "cpuAffinity");
            Objects.requireNonNull(transport, "transport");
        }
    }

    /** Where logs go, and how many decision lines a second at most. */
    public record Logging(Path directory, double decisionsPerSecond) {
    }

    /**
     * Cluster routes: when {@code manage} is on, the appliance keeps the kernel's routes to each node's podCIDR via
     * that node's address, tagged with {@code protocol} so it can find and remove its own stale ones.
     */
    public record Routes(boolean manage, int protocol) {
        public static final int DEFAULT_PROTOCOL = 188;
    }

    /**
     * The configuration store on the appliance's data partition: the running policy and its numbered revisions.
     *
     * @param directory where the store keeps its files (relative paths in the file resolve against the configuration
     *                  directory)
     * @param keepRevisions how many revisions are kept, at least {@link #MIN_KEEP_REVISIONS}; older ones are pruned
     */
    public record State(Path directory, int keepRevisions) {
        /** The fewest revisions a store keeps: operators can always go back this far. */
        public static final int MIN_KEEP_REVISIONS = 50;
        /** The most revisions a store keeps. */
        public static final int MAX_KEEP_REVISIONS = 10_000;

        public State {
            Objects.requireNonNull(directory, "directory");
            if (keepRevisions < MIN_KEEP_REVISIONS || keepRevisions > MAX_KEEP_REVISIONS) {
                throw new IllegalArgumentException("keepRevisions " + keepRevisions + " is outside "
                        + MIN_KEEP_REVISIONS + "-" + MAX_KEEP_REVISIONS);
            }
        }
    }

    /**
     * The SSH management console.
     *
     * @param port the TCP port on the management address
     * @param hostKeys the directory of the host keys, made on first start
     * @param uploads the directory holding one upload area per user (what SFTP shows them)
     * @param passwordLogin whether users with a password hash may log in with it (off: public keys only)
     * @param idleTimeout a session with no traffic for this long is closed
     * @param maxSessions sessions open at once, all users together
     * @param maxSessionsPerUser sessions open at once by one user
     * @param auditMaxSize the audit log is rotated when it grows past this many bytes
     * @param auditFiles rotated audit files kept besides the current one
     */
    public record Ssh(int port, Path hostKeys, Path uploads, boolean passwordLogin, Duration idleTimeout,
                      int maxSessions, int maxSessionsPerUser, Lockout lockout, long auditMaxSize,
                      int auditFiles) {

        public static final int DEFAULT_PORT = 22;

        public Ssh {
            Objects.requireNonNull(hostKeys, "hostKeys");
            Objects.requireNonNull(uploads, "uploads");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(lockout, "lockout");
        }

        /** The defaults, with paths resolved against the configuration directory {@code dir}. */
        public static Ssh defaults(Path dir) {
            return new Ssh(DEFAULT_PORT, dir.resolve("ssh"), dir.resolve("uploads"), false, Duration.ofMinutes(15),
                    16, 4, Lockout.DEFAULT, 10L * 1024 * 1024, 5);
        }
    }

    /**
     * What repeated failed logins from one source address cost: from the {@code delayAfter}-th failure within
     * {@code window}, each answer to that source waits {@code delay}, doubling with each further failure (at most
     * 16 times {@code delay}); at {@code lockAfter} failures the source is refused outright for {@code duration}.
     */
    public record Lockout(int delayAfter, Duration delay, int lockAfter, Duration window, Duration duration) {

        public static final Lockout DEFAULT = new Lockout(3, Duration.ofSeconds(1), 10, Duration.ofMinutes(10),
                Duration.ofMinutes(15));

        public Lockout {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** What a console user may do. */
    public enum Role {
        /** Everything, configuration included. */
        ADMIN,
        /** Show, test and clear. */
        OPERATOR,
        /** Show only. */
        AUDITOR;

        /** The word used in appliance.yaml and shown by the console. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A console user.
     *
     * @param keys OpenSSH public key lines ({@code TYPE BASE64 [COMMENT]}), as in an authorized_keys file
     * @param passwordHash a hash made by {@code portcullis hash-password}; used only when password login is on
     * @param location where the user is declared, for messages
     */
    public record User(String name, Role role, List<String> keys, Optional<String> passwordHash, Location location) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(passwordHash, "passwordHash");
            Objects.requireNonNull(location, "location");
            keys = List.copyOf(keys);
        }
    }

    /**
     * The Prometheus endpoint ({@code /metrics}): where it listens, and the basic authentication it asks for, if any.
     *
     * @param address the address it binds to: the {@code metrics.address} key, else the management address
     */
    public record Metrics(IpAddress address, int port, Optional<BasicAuth> basicAuth) {
        public static final int DEFAULT_PORT = 9464;

        public Metrics {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(basicAuth, "basicAuth");
        }
    }

    /**
     * Basic authentication of scrapes.
     *
     * @param passwordHash the password's hash as {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (salt and hash in
     *                     base64); never the password itself
     */
    public record BasicAuth(String user, String passwordHash) {
        public BasicAuth {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(passwordHash, "passwordHash");
        }

        @Override
        public String toString() {
            return "BasicAuth[user=" + user + ", passwordHash=(hidden)]";
        }
    }

    /**
     * The SNMP agent: read-only SNMPv2c for one community from allowed sources, SNMPv3 USM users, and where
     * notifications go.
     *
     * @param community v2c access; empty turns v2c off
     * @param allowUnauthenticatedV3 whether SNMPv3 requests without authentication are answered (users without
     *                               keys are then allowed too)
     * @param notificationsPerMinute how many notifications of each kind go out per minute at most (bursts of that
     *                               many)
     */
    public record Snmp(IpAddress address, int port, Optional<Community> community, List<SnmpUser> users,
                       boolean allowUnauthenticatedV3, List<TrapTarget> trapTargets, int notificationsPerMinute,
                       String contact, String location) {
        public static final int DEFAULT_PORT = 161;
        public static final int DEFAULT_TRAP_PORT = 162;
        public static final int DEFAULT_NOTIFICATIONS_PER_MINUTE = 10;

        public Snmp {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(community, "community");
            users = List.copyOf(users);
            trapTargets = List.copyOf(trapTargets);
            Objects.requireNonNull(contact, "contact");
            Objects.requireNonNull(location, "location");
        }
    }

    /** An SNMPv2c community and the source addresses it is accepted from. */
    public record Community(String name, List<IpPrefix> allowedSources) {
        public Community {
            Objects.requireNonNull(name, "name");
            allowedSources = List.copyOf(allowedSources);
        }

        @Override
        public String toString() {
            return "Community[name=(hidden), allowedSources=" + allowedSources + "]";
        }
    }

    /** SHA-2 authentication protocols of SNMPv3 USM (RFC 7860). */
    public enum SnmpAuth {
        SHA224("sha224"), SHA256("sha256"), SHA384("sha384"), SHA512("sha512");

        private final String key;

        SnmpAuth(String key) {
            this.key = key;
        }

        /** The name written in {@code appliance.yaml}. */
        public String key() {
            return key;
        }
    }

    /** AES privacy protocols of SNMPv3 USM: AES-128 (RFC 3826), and AES-192/256 with the same key extension as Net-SNMP. */
    public enum SnmpPrivacy {
        AES128("aes128"), AES192("aes192"), AES256("aes256");

        private final String key;

        SnmpPrivacy(String key) {
            this.key = key;
        }

        /** The name written in {@code appliance.yaml}. */
        public String key() {
            return key;
        }
    }

    /**
     * An SNMPv3 user. With keys, requests must be authenticated and encrypted (authPriv); without, the user exists
     * only when unauthenticated SNMPv3 is allowed.
     */
    public record SnmpUser(String name, Optional<UsmKeys> keys) {
        public SnmpUser {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(keys, "keys");
        }
    }

    /** A USM user's authentication and privacy protocols and passphrases (at least 8 characters each). */
    public record UsmKeys(SnmpAuth auth, String authPassphrase, SnmpPrivacy privacy, String privPassphrase) {
        public UsmKeys {
            Objects.requireNonNull(auth, "auth");
            Objects.requireNonNull(authPassphrase, "authPassphrase");
            Objects.requireNonNull(privacy, "privacy");
            Objects.requireNonNull(privPassphrase, "privPassphrase");
        }

        @Override
        public String toString() {
            return "UsmKeys[auth=" + auth + ", privacy=" + privacy + ", passphrases=(hidden)]";
        }
    }

    /** Where notifications go: SNMPv2c traps with a community, or SNMPv3 traps as one of {@link Snmp#users()}. */
    public record TrapTarget(IpAddress address, int port, TrapVersion version, String communityOrUser) {
        public TrapTarget {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(communityOrUser, "communityOrUser");
        }
    }

    /** The SNMP version of a notification target. */
    public enum TrapVersion {
        V2C, V3
    }
}
