package dev.portcullis.monitoring.snmp;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.snmp4j.agent.mo.snmp.CoexistenceInfo;
import org.snmp4j.agent.mo.snmp.CoexistenceInfoProvider;
import org.snmp4j.agent.security.VACM;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TransportIpAddress;

/**
 * Who may read what: one read-only view of everything, no write view, for
 * <ul>
 *   <li>SNMPv2c with the configured community, from the allowed source addresses only (anything else is dropped
 *       without an answer and counted, as RFC 3584 asks for a bad community);</li>
 *   <li>SNMPv3 USM users with keys, at authPriv only;</li>
 *   <li>SNMPv3 at noAuthNoPriv or authNoPriv, only when {@code allowUnauthenticatedV3} is set.</li>
 * </ul>
 * Requests refused here are answered with authorizationError (v3) or dropped (v2c).
 *
 * <p>It is both the agent's access control (VACM) and its community table (coexistence provider), so the two
 * cannot disagree. Threading: immutable apart from the counters.
 */
final class SnmpAccess implements VACM, CoexistenceInfoProvider {

    static final OctetString READ_VIEW = new OctetString("portcullis-read");
    /** The security name requests with the right community get. */
    static final OctetString COMMUNITY_NAME = new OctetString("v2c-community");

    private final Optional<byte[]> community;
    private final List<IpPrefix> allowedSources;
    private final Set<OctetString> usersWithKeys;
    private final Set<OctetString> allUsers;
    private final boolean allowUnauthenticated;
    private final OctetString engineId;
    private final LongAdder badCommunity = new LongAdder();
    private final LongAdder badSource = new LongAdder();

    SnmpAccess(ApplianceConfig.Snmp config, OctetString engineId) {
        this.community = config.community().map(c -> c.name().getBytes(StandardCharsets.UTF_8));
        this.allowedSources = config.community().map(ApplianceConfig.Community::allowedSources).orElse(List.of());
        this.usersWithKeys = config.users().stream().filter(u -> u.keys().isPresent())
                .map(u -> new OctetString(u.name())).collect(Collectors.toUnmodifiableSet());
        this.allUsers = config.users().stream().map(u -> new OctetString(u.name()))
                .collect(Collectors.toUnmodifiableSet());
        this.allowUnauthenticated = config.allowUnauthenticatedV3();
        this.engineId = engineId;
    }

    // Community table.

    @Override
    public CoexistenceInfo[] getCoexistenceInfo(OctetString presented) {
        if (community.isEmpty() || !MessageDigest.isEqual(community.get(), presented.getValue())) {
            badCommunity.increment();
            return new CoexistenceInfo[0];
        }
        return new CoexistenceInfo[] {new CoexistenceInfo(COMMUNITY_NAME, engineId, new OctetString())};
    }

    @Override
    public OctetString getCommunity(OctetString securityName, OctetString contextEngineID, OctetString contextName) {
        return COMMUNITY_NAME.equals(securityName) ? community.map(OctetString::new).orElse(null) : null;
    }

    @Override
    public boolean passesFilter(Address address, CoexistenceInfo info) {
        if (address instanceof TransportIpAddress ip && allowed(ip.getInetAddress())) {
            return true;
        }
        badSource.increment();
        return false;
    }

    private boolean allowed(InetAddress a) {
        IpAddress ip = IpAddress.parse(a instanceof Inet4Address ? a.getHostAddress()
                : a.getHostAddress().replaceFirst("%.*$", ""));
        for (IpPrefix p : allowedSources) {
            if (p.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    // Access control.

    @Override
    public int isAccessAllowed(OctetString context, OctetString securityName, int securityModel, int securityLevel,
                               int viewType, OID oid) {
        OctetString view = getViewName(context, securityName, securityModel, securityLevel, viewType);
        return view == null ? VACM_NO_ACCESS_ENTRY : isAccessAllowed(view, oid);
    }

    @Override
    public int isAccessAllowed(OctetString viewName, OID oid) {
        return READ_VIEW.equals(viewName) ? VACM_OK : VACM_NO_SUCH_VIEW;
    }

    @Override
    public OctetString getViewName(OctetString context, OctetString securityName, int securityModel,
                                   int securityLevel, int viewType) {
        if ((viewType != VIEW_READ && viewType != VIEW_NOTIFY) || (context != null && context.length() > 0)) {
            return null;
        }
        boolean ok = switch (securityModel) {
            case SecurityModel.SECURITY_MODEL_SNMPv2c -> COMMUNITY_NAME.equals(securityName);
            case SecurityModel.SECURITY_MODEL_USM -> (usersWithKeys.contains(securityName)
                    && securityLevel == SecurityLevel.AUTH_PRIV)
                    || (allowUnauthenticated && allUsers.contains(securityName));
            default -> false;
        };
        return ok ? READ_VIEW : null;
    }

    /** v2c requests dropped for a wrong community. */
    long badCommunity() {
        return badCommunity.sum();
    }

    /** v2c requests with the right community dropped for coming from a source not allowed. */
    long badSource() {
        return badSource.sum();
    }
}
