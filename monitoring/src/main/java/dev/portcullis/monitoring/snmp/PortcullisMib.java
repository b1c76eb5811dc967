package dev.portcullis.monitoring.snmp;

import dev.portcullis.monitoring.ControlPlaneMetrics;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.Rule;
import dev.portcullis.router.DataPlane;
import dev.portcullis.router.Endpoint;
import dev.portcullis.router.RefusalReason;
import dev.portcullis.router.RouterState;
import dev.portcullis.router.RuleCounter;
import dev.portcullis.router.ServiceCounters;
import dev.portcullis.router.ServiceRuntime;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * PORTCULLIS-MIB ({@code configs/mib/PORTCULLIS-MIB.txt}): the policy's figures, and the rule, service, refusal and
 * endpoint tables, read from the same counters as the Prometheus endpoint.
 *
 * <p>Indexes are stable: a rule, a service or an endpoint (a service and an address) keeps its index for the life
 * of the process while its name stays, across reloads (see {@link StableIndex}).
 *
 * <p>The enterprise number {@value #ENTERPRISE} is IANA's number for documentation (RFC 5612), a placeholder: it
 * must be replaced by the project's own registered Private Enterprise Number, here and in the MIB, before any
 * release.
 */
final class PortcullisMib {

    /** IANA's Private Enterprise Number for documentation (RFC 5612): a placeholder until the project has its own. */
    static final int ENTERPRISE = 32473;

    static final OID ROOT = new OID(new int[] {1, 3, 6, 1, 4, 1, ENTERPRISE});
    static final OID NOTIFICATIONS = child(ROOT, 0);
    static final OID OBJECTS = child(ROOT, 1);
    static final OID PRODUCTS = child(ROOT, 3);
    /** sysObjectID of the appliance. */
    static final OID APPLIANCE = child(PRODUCTS, 1);

    static final OID POLICY = child(OBJECTS, 1);
    static final OID RULE_ENTRY = child(child(OBJECTS, 2), 1);
    static final OID SERVICE_ENTRY = child(child(OBJECTS, 3), 1);
    static final OID REFUSAL_ENTRY = child(child(OBJECTS, 4), 1);
    static final OID ENDPOINT_ENTRY = child(child(OBJECTS, 5), 1);
    static final OID SSH = child(OBJECTS, 6);
    static final OID NOTIFY_OBJECTS = child(OBJECTS, 7);

    // Notification objects (accessible-for-notify), instance .0.
    static final OID NOTIFY_REVISION = instance(NOTIFY_OBJECTS, 1);
    static final OID NOTIFY_RESTORED_REVISION = instance(NOTIFY_OBJECTS, 2);
    static final OID NOTIFY_AUTHOR = instance(NOTIFY_OBJECTS, 3);
    static final OID NOTIFY_SERVICE = instance(NOTIFY_OBJECTS, 4);
    static final OID NOTIFY_LIMIT_REASON = instance(NOTIFY_OBJECTS, 5);
    static final OID NOTIFY_REFUSALS = instance(NOTIFY_OBJECTS, 6);
    static final OID NOTIFY_NODE = instance(NOTIFY_OBJECTS, 7);
    static final OID NOTIFY_VERSION = instance(NOTIFY_OBJECTS, 8);

    // Notifications.
    static final OID START = child(NOTIFICATIONS, 1);
    static final OID ENDPOINT_DOWN = child(NOTIFICATIONS, 2);
    static final OID ENDPOINT_UP = child(NOTIFICATIONS, 3);
    static final OID COMMIT = child(NOTIFICATIONS, 4);
    static final OID AUTOMATIC_ROLLBACK = child(NOTIFICATIONS, 5);
    static final OID LIMIT_HIT = child(NOTIFICATIONS, 6);

    static final int[] RULE_COLUMNS = {2, 3, 4, 5};
    static final int[] SERVICE_COLUMNS = {2, 3, 4, 5, 6, 7};
    static final int[] REFUSAL_COLUMNS = {2};
    static final int[] ENDPOINT_COLUMNS = {2, 3, 4, 5, 6, 7, 8};
    static final int ENDPOINT_SERVICE = 2;
    static final int ENDPOINT_ADDRESS_TYPE = 3;
    static final int ENDPOINT_ADDRESS = 4;
    static final int ENDPOINT_PORT = 5;
    static final int ENDPOINT_STATE = 6;

    /** DateAndTime for "never": eight zero octets, as the MIB says. */
    private static final byte[] NEVER = new byte[8];

    private final DataPlane plane;
    private final ControlPlaneMetrics controlPlane;
    private final StableIndex rules = new StableIndex();
    private final StableIndex services = new StableIndex();
    private final StableIndex endpoints = new StableIndex();

    PortcullisMib(DataPlane plane, ControlPlaneMetrics controlPlane) {
        this.plane = plane;
        this.controlPlane = controlPlane;
    }

    private static OID child(OID parent, int sub) {
        return new OID(parent).append(sub);
    }

    private static OID instance(OID parent, int sub) {
        return new OID(parent).append(sub).append(0);
    }

    /** The subtrees to register: the policy group, the four tables and the SSH group. */
    List<Subtree> subtrees() {
        DataPlane p = plane;
        return List.of(
                ScalarGroup.under(POLICY)
                        .add(1, () -> new UnsignedInteger32(Math.min(controlPlane.policy().revision(), 0xFFFF_FFFFL)))
                        .add(2, () -> new Gauge32(controlPlane.policy().ruleCount()))
                        .add(3, () -> dateAndTime(controlPlane.policy().committedAt().toEpochMilli()))
                        .add(4, () -> new OctetString(controlPlane.policy().author()))
                        .add(5, () -> new Counter64(p.counters().defaultRule().hits()))
                        .add(6, () -> new Counter64(p.counters().lookups()))
                        .add(7, () -> new Gauge32(Math.max(0, p.globalActive()))),
                new SnapshotTable(RULE_ENTRY, RULE_COLUMNS, this::ruleRows),
                new SnapshotTable(SERVICE_ENTRY, SERVICE_COLUMNS, this::serviceRows),
                new SnapshotTable(REFUSAL_ENTRY, REFUSAL_COLUMNS, this::refusalRows),
                new SnapshotTable(ENDPOINT_ENTRY, ENDPOINT_COLUMNS, this::endpointRows),
                ScalarGroup.under(SSH)
                        .add(1, () -> new Gauge32(Math.max(0, controlPlane.sshSessions())))
                        .add(2, () -> new Counter64(controlPlane.failedLogins())));
    }

    private List<SnapshotTable.Row> ruleRows() {
        RouterState s = plane.state();
        if (s == null) {
            return List.of();
        }
        List<SnapshotTable.Row> out = new ArrayList<>();
        for (Rule r : s.policy().policy().rules()) {
            RuleCounter c = plane.counters().rule(r.name());
            out.add(new SnapshotTable.Row(index(rules.of(r.name())), new Variable[] {
                new OctetString(r.name()),
                new Integer32(action(r.action())),
                new Counter64(c.hits()),
                dateAndTime(c.lastHitMillis())}));
        }
        return out;
    }

    private List<SnapshotTable.Row> serviceRows() {
        RouterState s = plane.state();
        if (s == null) {
            return List.of();
        }
        List<SnapshotTable.Row> out = new ArrayList<>();
        for (ServiceRuntime rt : s.services().values()) {
            ServiceCounters c = rt.counters();
            long refused = 0;
            for (RefusalReason r : RefusalReason.values()) {
                refused += c.refusals(r);
            }
            out.add(new SnapshotTable.Row(index(services.of(rt.name())), new Variable[] {
                new OctetString(rt.name()),
                new Gauge32(Math.max(0, c.active())),
                new Counter64(c.total()),
                new Counter64(c.bytesIn()),
                new Counter64(c.bytesOut()),
                new Counter64(refused)}));
        }
        return out;
    }

    private List<SnapshotTable.Row> refusalRows() {
        RouterState s = plane.state();
        if (s == null) {
            return List.of();
        }
        List<SnapshotTable.Row> out = new ArrayList<>();
        for (ServiceRuntime rt : s.services().values()) {
            int service = services.of(rt.name());
            for (RefusalReason r : RefusalReason.values()) {
                out.add(new SnapshotTable.Row(new OID(new int[] {service, reason(r)}),
                        new Variable[] {new Counter64(rt.counters().refusals(r))}));
            }
        }
        return out;
    }

    private List<SnapshotTable.Row> endpointRows() {
        RouterState s = plane.state();
        if (s == null) {
            return List.of();
        }
        List<SnapshotTable.Row> out = new ArrayList<>();
        for (ServiceRuntime rt : s.services().values()) {
            for (Endpoint e : rt.endpoints()) {
                out.add(new SnapshotTable.Row(index(endpointIndex(rt.name(), e.address())),
                        endpointCells(rt.name(), e.address(), e.healthy(), e.active(), e.total())));
            }
        }
        return out;
    }

    private static Variable[] endpointCells(String service, HostPort a, boolean up, int active, long total) {
        return new Variable[] {
            new OctetString(service),
            new Integer32(a.address().family() == IpFamily.V4 ? 1 : 2),
            new OctetString(addressBytes(a)),
            new UnsignedInteger32(a.port()),
            new Integer32(up ? 1 : 2),
            new Gauge32(Math.max(0, active)),
            new Counter64(total)};
    }

    /** The endpoint's index, which notifications use as the instance of its columns. */
    int endpointIndex(String service, HostPort address) {
        return endpoints.of(service + " " + address);
    }

    /**
     * The endpoint columns a notification carries (service, address type, address, port, state), with the
     * endpoint's index as instance.
     */
    List<VariableBinding> endpointBindings(String service, HostPort address, boolean up) {
        int i = endpointIndex(service, address);
        Variable[] cells = endpointCells(service, address, up, 0, 0);
        List<VariableBinding> out = new ArrayList<>();
        for (int col : new int[] {ENDPOINT_SERVICE, ENDPOINT_ADDRESS_TYPE, ENDPOINT_ADDRESS, ENDPOINT_PORT,
            ENDPOINT_STATE}) {
            out.add(new VariableBinding(new OID(ENDPOINT_ENTRY).append(col).append(i),
                    cells[col - ENDPOINT_COLUMNS[0]]));
        }
        return out;
    }

    private static OID index(int i) {
        return new OID(new int[] {i});
    }

    private static byte[] addressBytes(HostPort a) {
        if (a.address().family() == IpFamily.V4) {
            return ByteBuffer.allocate(4).putInt(a.address().v4Bits()).array();
        }
        return ByteBuffer.allocate(16).putLong(a.address().hi()).putLong(a.address().lo()).array();
    }

    /** pcRuleAction: accept(1), drop(2), reject(3). */
    static int action(Action a) {
        return switch (a) {
            case ACCEPT -> 1;
            case DROP -> 2;
            case REJECT -> 3;
        };
    }

    /** PcRefusalKind: the reasons in the order the MIB numbers them, from 1. */
    static int reason(RefusalReason r) {
        return switch (r) {
            case POLICY_DROP -> 1;
            case POLICY_REJECT -> 2;
            case NO_HEALTHY_ENDPOINT -> 3;
            case SERVICE_LIMIT -> 4;
            case SOURCE_CONNECTION_LIMIT -> 5;
            case SOURCE_RATE_LIMIT -> 6;
            case GLOBAL_LIMIT -> 7;
            case CLUSTER_IP_GUARD -> 8;
            case CONNECT_FAILED -> 9;
            case FLOW_TABLE_FULL -> 10;
        };
    }

    /** DateAndTime (RFC 2579) in UTC, 11 octets; eight zero octets for 0 ("never"). */
    static OctetString dateAndTime(long epochMillis) {
        if (epochMillis <= 0) {
            return new OctetString(NEVER);
        }
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
        return new OctetString(new byte[] {
            (byte) (t.getYear() >> 8), (byte) t.getYear(), (byte) t.getMonthValue(), (byte) t.getDayOfMonth(),
            (byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(), (byte) (t.getNano() / 100_000_000),
            (byte) '+', 0, 0});
    }
}
