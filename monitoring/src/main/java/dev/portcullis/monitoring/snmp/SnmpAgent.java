package dev.portcullis.monitoring.snmp;

import dev.portcullis.monitoring.ControlPlaneMetrics;
import dev.portcullis.monitoring.Notification;
import dev.portcullis.monitoring.NotificationSink;
import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.router.DataPlane;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.agent.CommandProcessor;
import org.snmp4j.agent.DefaultMOServer;
import org.snmp4j.agent.DuplicateRegistrationException;
import org.snmp4j.event.CounterEvent;
import org.snmp4j.event.CounterListener;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * The SNMP agent: read-only SNMPv2c and SNMPv3 (USM with SHA-2 authentication and AES privacy) over UDP on one
 * address, serving MIB-II {@code system}, IF-MIB and PORTCULLIS-MIB, and sending notifications as v2c or v3 traps.
 *
 * <pre>{@code
 * SnmpAgent agent = SnmpAgent.start(config.snmp().get(), node, version, plane, controlPlane, stateDirectory);
 * notifications.addSink(agent);     // traps to the configured targets
 * agent.close();
 * }</pre>
 *
 * <p>Built from SNMP4J's parts rather than its {@code BaseAgent}, which keeps its configuration in files and MIB
 * tables that could be written: here the configuration is {@code appliance.yaml} and nothing can be set.
 *
 * <p>Engine: the engine ID is RFC 3411's form for enterprise {@value PortcullisMib#ENTERPRISE} with the node name
 * as text (or a SHA-256 of it when longer than 27 bytes), so it stays the same across restarts; the engine boots
 * count is kept in {@code STATE_DIR/snmp-engine-boots} and goes up by one at every start (RFC 3414 needs it for
 * its replay protection).
 *
 * <p>Threading: requests are answered on SNMP4J's UDP listener thread; notifications are sent from the caller's
 * thread ({@link dev.portcullis.monitoring.Notifications}' own).
 */
public final class SnmpAgent implements NotificationSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnmpAgent.class);
    static final String BOOTS_FILE = "snmp-engine-boots";
    static final OID SNMP_TRAP_OID = new OID("1.3.6.1.6.3.1.1.4.1.0");
    static final OID SYS_UP_TIME = new OID("1.3.6.1.2.1.1.3.0");

    private final ApplianceConfig.Snmp config;
    private final Snmp snmp;
    private final DefaultUdpTransportMapping transport;
    private final byte[] engineId;
    private final int engineBoots;
    private final long startedNanos = System.nanoTime();
    private final PortcullisMib mib;
    private final SnmpAccess access;
    private final Counters counters = new Counters();
    private final LongAdder trapsSent = new LongAdder();
    private final LongAdder trapsFailed = new LongAdder();

    private SnmpAgent(ApplianceConfig.Snmp config, String node, String version, DataPlane plane,
                      ControlPlaneMetrics controlPlane, int engineBoots) throws IOException {
        this.config = config;
        this.engineId = engineId(node);
        this.engineBoots = engineBoots;
        OctetString localEngine = new OctetString(engineId);

        SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.none);
        protocols.addAuthenticationProtocol(new AuthHMAC128SHA224());
        protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
        protocols.addAuthenticationProtocol(new AuthHMAC256SHA384());
        protocols.addAuthenticationProtocol(new AuthHMAC384SHA512());
        protocols.addPrivacyProtocol(new PrivAES128());
        protocols.addPrivacyProtocol(new PrivAES192());
        protocols.addPrivacyProtocol(new PrivAES256());
        CounterSupport counterSupport = new CounterSupport();
        counterSupport.addCounterListener(counters);
        USM usm = new USM(protocols, localEngine, engineBoots, counterSupport);
        for (ApplianceConfig.SnmpUser u : config.users()) {
            usm.addUser(user(u));
        }
        SecurityModels models = new SecurityModels();
        models.addSecurityModel(usm);
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addCounterListener(counters);
        dispatcher.addMessageProcessingModel(new MPv2c());
        dispatcher.addMessageProcessingModel(new MPv3(engineId, null, protocols, models, counterSupport));

        InetAddress bind = InetAddress.getByAddress(addressBytes(config.address()));
        this.transport = new DefaultUdpTransportMapping(new UdpAddress(bind, config.port()));
        this.snmp = new Snmp(dispatcher, transport);

        this.mib = new PortcullisMib(plane, controlPlane);
        this.access = new SnmpAccess(config, localEngine);
        DefaultMOServer server = new DefaultMOServer();
        List<Subtree> subtrees = new ArrayList<>();
        subtrees.add(systemGroup(node, version));
        Interfaces interfaces = new Interfaces(Path.of("/sys/class/net"));
        subtrees.add(interfaces.ifNumber());
        subtrees.add(interfaces.ifTable());
        subtrees.add(interfaces.ifXTable());
        subtrees.addAll(mib.subtrees());
        try {
            for (Subtree t : subtrees) {
                server.register(new SubtreeObject(t), new OctetString());
            }
        } catch (DuplicateRegistrationException e) {
            throw new IllegalStateException("two subtrees overlap: " + e.getMessage(), e);
        }
        CommandProcessor processor = new CommandProcessor(localEngine);
        processor.addMOServer(server);
        processor.setVacm(access);
        processor.setCoexistenceProvider(access);
        processor.addCounterListener(counters);
        snmp.addCommandResponder(processor);
    }

    /**
     * Starts the agent on the configured address.
     *
     * @param stateDirectory where the engine boots count is kept (created if missing)
     * @throws IOException when the address cannot be bound or the boots count cannot be kept
     */
    public static SnmpAgent start(ApplianceConfig.Snmp config, String node, String version, DataPlane plane,
                                  ControlPlaneMetrics controlPlane, Path stateDirectory) throws IOException {
        int boots = nextBoots(stateDirectory);
        SnmpAgent agent = new SnmpAgent(config, node, version, plane, controlPlane, boots);
        try {
            agent.transport.listen();
        } catch (IOException e) {
            agent.snmp.close();
            throw e;
        }
        LOG.info("start: SNMP agent on udp {}:{} (engine {}, boots {}), v2c {}, {} v3 users{}",
                agent.address().getAddress().getHostAddress(), agent.address().getPort(),
                new OctetString(agent.engineId).toHexString(), boots, config.community().isPresent() ? "on" : "off",
                config.users().size(), config.allowUnauthenticatedV3() ? ", unauthenticated v3 allowed" : "");
        return agent;
    }

    /** Reads, increments and writes back the engine boots count (1 on the first start). */
    static int nextBoots(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(BOOTS_FILE);
        int boots = 0;
        if (Files.exists(f)) {
            try {
                boots = Integer.parseInt(Files.readString(f).strip());
            } catch (NumberFormatException e) {
                LOG.warn("nextBoots: {} holds no number; counting from 1 again", f);
            }
        }
        // RFC 3414: at 2^31-1 the engine must be reconfigured; we start again at 1 and say so.
        int next = boots >= Integer.MAX_VALUE - 1 || boots < 0 ? 1 : boots + 1;
        Path tmp = dir.resolve(BOOTS_FILE + ".tmp");
        Files.writeString(tmp, next + "\n");
        Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return next;
    }

    /** The engine ID: RFC 3411 format 4 (text) for our enterprise, or format 5 (octets) from a hash of a long name. */
    public static byte[] engineId(String node) {
        byte[] name = (node.isEmpty() ? "portcullis" : node).getBytes(StandardCharsets.UTF_8);
        int format = 4;
        if (name.length > 27) {
            try {
                name = java.util.Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(name), 27);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
            format = 5;
        }
        byte[] id = new byte[5 + name.length];
        int enterprise = 0x8000_0000 | PortcullisMib.ENTERPRISE;
        id[0] = (byte) (enterprise >>> 24);
        id[1] = (byte) (enterprise >>> 16);
        id[2] = (byte) (enterprise >>> 8);
        id[3] = (byte) enterprise;
        id[4] = (byte) format;
        System.arraycopy(name, 0, id, 5, name.length);
        return id;
    }

    private static UsmUser user(ApplianceConfig.SnmpUser u) {
        OctetString name = new OctetString(u.name());
        if (u.keys().isEmpty()) {
            return new UsmUser(name, null, null, null, null, UsmUser.LocalizationGrant.any);
        }
        ApplianceConfig.UsmKeys k = u.keys().get();
        OID auth = switch (k.auth()) {
            case SHA224 -> AuthHMAC128SHA224.ID;
            case SHA256 -> AuthHMAC192SHA256.ID;
            case SHA384 -> AuthHMAC256SHA384.ID;
            case SHA512 -> AuthHMAC384SHA512.ID;
        };
        OID priv = switch (k.privacy()) {
            case AES128 -> PrivAES128.ID;
            case AES192 -> PrivAES192.ID;
            case AES256 -> PrivAES256.ID;
        };
        return new UsmUser(name, auth, new OctetString(k.authPassphrase()), priv, new OctetString(k.privPassphrase()),
                UsmUser.LocalizationGrant.any);
    }

    private static byte[] addressBytes(dev.portcullis.policy.IpAddress a) {
        if (a.family() == IpFamily.V4) {
            return java.nio.ByteBuffer.allocate(4).putInt(a.v4Bits()).array();
        }
        return java.nio.ByteBuffer.allocate(16).putLong(a.hi()).putLong(a.lo()).array();
    }

    /** Hundredths of a second since the agent started (sysUpTime). */
    long upTime() {
        return (System.nanoTime() - startedNanos) / 10_000_000L;
    }

    private Subtree systemGroup(String node, String version) {
        String descr = "Portcullis " + version + " edge router and cluster firewall, node " + node + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return ScalarGroup.under(new OID("1.3.6.1.2.1.1"))
                .add(1, () -> new OctetString(descr))
                .add(2, () -> PortcullisMib.APPLIANCE)
                .add(3, () -> new TimeTicks(upTime()))
                .add(4, () -> new OctetString(config.contact()))
                .add(5, () -> new OctetString(node))
                .add(6, () -> new OctetString(config.location()))
                .add(7, () -> new Integer32(72)) // transport (4) and application (7) layers: 2^3 + 2^6
                .add(8, () -> new TimeTicks(0));
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        UdpAddress a = transport.getListenAddress();
        return new InetSocketAddress(a.getInetAddress(), a.getPort());
    }

    /** The engine ID, as snmptrapd's {@code createUser -e} wants it (hex). */
    public String engineIdHex() {
        return new OctetString(engineId).toHexString().replace(":", "");
    }

    // Notifications.

    @Override
    public void send(Notification n) {
        List<VariableBinding> vbs = new ArrayList<>();
        vbs.add(new VariableBinding(SYS_UP_TIME, new TimeTicks(upTime())));
        vbs.add(new VariableBinding(SNMP_TRAP_OID, trapOid(n)));
        vbs.addAll(objects(n));
        for (ApplianceConfig.TrapTarget t : config.trapTargets()) {
            try {
                UdpAddress to = new UdpAddress(InetAddress.getByAddress(addressBytes(t.address())), t.port());
                PDU pdu;
                Target<UdpAddress> target;
                if (t.version() == ApplianceConfig.TrapVersion.V2C) {
                    pdu = new PDU();
                    CommunityTarget<UdpAddress> c = new CommunityTarget<>(to, new OctetString(t.communityOrUser()));
                    c.setVersion(SnmpConstants.version2c);
                    target = c;
                } else {
                    pdu = new ScopedPDU();
                    UserTarget<UdpAddress> u = new UserTarget<>(to, new OctetString(t.communityOrUser()), engineId,
                            SecurityLevel.AUTH_PRIV);
                    u.setVersion(SnmpConstants.version3);
                    target = u;
                }
                pdu.setType(PDU.TRAP);
                pdu.addAll(vbs);
                snmp.notify(pdu, target);
                trapsSent.increment();
            } catch (IOException | RuntimeException e) {
                trapsFailed.increment();
                LOG.warn("send: {} to {}:{} failed: {}", n.kind().label(), t.address(), t.port(), e.toString());
            }
        }
    }

    static OID trapOid(Notification n) {
        return switch (n) {
            case Notification.Started s -> PortcullisMib.START;
            case Notification.EndpointDown d -> PortcullisMib.ENDPOINT_DOWN;
            case Notification.EndpointUp u -> PortcullisMib.ENDPOINT_UP;
            case Notification.Commit c -> PortcullisMib.COMMIT;
            case Notification.AutomaticRollback r -> PortcullisMib.AUTOMATIC_ROLLBACK;
            case Notification.LimitHit l -> PortcullisMib.LIMIT_HIT;
        };
    }

    /** The OBJECTS of the notification's definition in PORTCULLIS-MIB, in that order. */
    private List<VariableBinding> objects(Notification n) {
        return switch (n) {
            case Notification.Started s -> List.of(
                    new VariableBinding(PortcullisMib.NOTIFY_NODE, new OctetString(s.node())),
                    new VariableBinding(PortcullisMib.NOTIFY_VERSION, new OctetString(s.version())));
            case Notification.EndpointDown d -> mib.endpointBindings(d.service(), d.endpoint(), false);
            case Notification.EndpointUp u -> mib.endpointBindings(u.service(), u.endpoint(), true);
            case Notification.Commit c -> List.of(
                    new VariableBinding(PortcullisMib.NOTIFY_REVISION, revision(c.revision())),
                    new VariableBinding(PortcullisMib.NOTIFY_AUTHOR, new OctetString(c.author())));
            case Notification.AutomaticRollback r -> List.of(
                    new VariableBinding(PortcullisMib.NOTIFY_REVISION, revision(r.revision())),
                    new VariableBinding(PortcullisMib.NOTIFY_RESTORED_REVISION, revision(r.restoredRevision())),
                    new VariableBinding(PortcullisMib.NOTIFY_AUTHOR, new OctetString(r.author())));
            case Notification.LimitHit l -> List.of(
                    new VariableBinding(PortcullisMib.NOTIFY_SERVICE, new OctetString(l.service())),
                    new VariableBinding(PortcullisMib.NOTIFY_LIMIT_REASON, new Integer32(
                            PortcullisMib.reason(l.reason()))),
                    new VariableBinding(PortcullisMib.NOTIFY_REFUSALS,
                            new Gauge32(Math.min(l.refusals(), 0xFFFF_FFFFL))));
        };
    }

    private static Variable revision(long r) {
        return new UnsignedInteger32(Math.min(Math.max(r, 0), 0xFFFF_FFFFL));
    }

    // Summary.

    /** A short summary for the console's {@code show snmp}. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        InetSocketAddress a = address();
        b.append("agent: udp ").append(a.getAddress().getHostAddress()).append(':').append(a.getPort())
                .append(", engine ").append(engineIdHex()).append(", boots ").append(engineBoots).append('\n');
        b.append("v2c: ").append(config.community().map(c -> "on, from " + c.allowedSources()).orElse("off"))
                .append('\n');
        b.append("v3 users: ");
        if (config.users().isEmpty()) {
            b.append("none");
        }
        for (int i = 0; i < config.users().size(); i++) {
            ApplianceConfig.SnmpUser u = config.users().get(i);
            b.append(i == 0 ? "" : ", ").append(u.name()).append(u.keys().map(k -> " (" + k.auth().key() + ", "
                    + k.privacy().key() + ")").orElse(" (no keys)"));
        }
        b.append("; unauthenticated v3 ").append(config.allowUnauthenticatedV3() ? "allowed" : "refused").append('\n');
        b.append("requests refused: ").append(access.badCommunity()).append(" bad community, ")
                .append(access.badSource()).append(" source not allowed, ")
                .append(counters.get(SnmpConstants.usmStatsWrongDigests)).append(" wrong digest, ")
                .append(counters.get(SnmpConstants.usmStatsUnknownUserNames)).append(" unknown user, ")
                .append(counters.get(SnmpConstants.usmStatsDecryptionErrors)).append(" decryption errors\n");
        b.append("notification targets: ");
        if (config.trapTargets().isEmpty()) {
            b.append("none");
        }
        for (int i = 0; i < config.trapTargets().size(); i++) {
            ApplianceConfig.TrapTarget t = config.trapTargets().get(i);
            b.append(i == 0 ? "" : ", ").append(t.address()).append(':').append(t.port()).append(' ')
                    .append(t.version() == ApplianceConfig.TrapVersion.V2C ? "v2c" : "v3 as " + t.communityOrUser());
        }
        b.append("; ").append(trapsSent.sum()).append(" traps sent, ").append(trapsFailed.sum()).append(" failed\n");
        return b.toString();
    }

    /** The SNMP4J counters (USM statistics, bad community names) this agent keeps, for reports and the summary. */
    private static final class Counters implements CounterListener {
        private final Map<OID, AtomicLong> values = new ConcurrentHashMap<>();

        @Override
        public void incrementCounter(CounterEvent event) {
            long v = values.computeIfAbsent(event.getOid(), k -> new AtomicLong())
                    .addAndGet(event.getIncrement());
            event.setCurrentValue(new Counter32(v & 0xFFFF_FFFFL));
        }

        long get(OID oid) {
            AtomicLong v = values.get(oid);
            return v == null ? 0 : v.get();
        }
    }

    /** Stops answering and releases the port; idempotent. */
    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            LOG.warn("close: {}", e.toString());
        }
        LOG.info("close: SNMP agent stopped");
    }
}
