package dev.portcullis.monitoring.snmp;

import java.util.function.Function;
import org.snmp4j.PDU;
import org.snmp4j.agent.DefaultMOScope;
import org.snmp4j.agent.MOScope;
import org.snmp4j.agent.mo.GenericManagedObject;
import org.snmp4j.agent.request.SubRequest;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Serves a read-only {@link Subtree} to SNMP4J-Agent's request processing: GET, GETNEXT and GETBULK are answered
 * from it, every SET is refused with {@code notWritable}. (It must be a {@link GenericManagedObject}: the agent's
 * request handlers look objects up by that type and pass over any other.)
 *
 * <p>Threading: as the subtree's.
 */
final class SubtreeObject implements GenericManagedObject {

    private final Subtree subtree;
    private final MOScope scope;

    SubtreeObject(Subtree subtree) {
        this.subtree = subtree;
        this.scope = new DefaultMOScope(subtree.root(), true, subtree.root().nextPeer(), false);
    }

    @Override
    public MOScope getScope() {
        return scope;
    }

    @Override
    public OID find(MOScope range) {
        VariableBinding vb = first(range, oid -> true);
        return vb == null ? null : vb.getOid();
    }

    @Override
    public void get(SubRequest<?> request) {
        Variable v = subtree.get(request.getVariableBinding().getOid());
        request.getVariableBinding().setVariable(v == null ? Null.noSuchInstance : v);
        request.completed();
    }

    @Override
    public boolean next(SubRequest<?> request) {
        return next(request, oid -> true);
    }

    @Override
    public boolean next(SubRequest<?> request, Function<OID, Boolean> filter) {
        VariableBinding vb = first(request.getQuery().getScope(), filter);
        if (vb == null) {
            return false;
        }
        request.getVariableBinding().setOid(vb.getOid());
        request.getVariableBinding().setVariable(vb.getVariable());
        request.completed();
        return true;
    }

    /** The first instance within {@code range} that {@code filter} (the caller's view) accepts. */
    private VariableBinding first(MOScope range, Function<OID, Boolean> filter) {
        OID from = range.getLowerBound() == null ? subtree.root() : range.getLowerBound();
        boolean inclusive = range.getLowerBound() == null || range.isLowerIncluded();
        while (true) {
            VariableBinding vb = subtree.next(from, inclusive);
            if (vb == null || !below(vb.getOid(), range)) {
                return null;
            }
            if (Boolean.TRUE.equals(filter.apply(vb.getOid()))) {
                return vb;
            }
            from = vb.getOid();
            inclusive = false;
        }
    }

    private static boolean below(OID oid, MOScope range) {
        OID upper = range.getUpperBound();
        if (upper == null) {
            return true;
        }
        int c = oid.compareTo(upper);
        return c < 0 || (c == 0 && range.isUpperIncluded());
    }

    @Override
    public void prepare(SubRequest<?> request) {
        request.setErrorStatus(PDU.notWritable);
    }

    @Override
    public void commit(SubRequest<?> request) {
        request.setErrorStatus(PDU.commitFailed);
    }

    @Override
    public void undo(SubRequest<?> request) {
        request.setErrorStatus(PDU.undoFailed);
    }

    @Override
    public void cleanup(SubRequest<?> request) {
        request.completed();
    }

    @Override
    public String toString() {
        return "SubtreeObject[" + subtree.root() + "]";
    }
}
