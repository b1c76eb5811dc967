package dev.portcullis.monitoring.snmp;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Scalars under one root, each instance {@code root.N.0} read from its supplier at request time.
 *
 * <pre>{@code
 * ScalarGroup g = ScalarGroup.under(new OID("1.3.6.1.2.1.1"))
 *         .add(1, () -> new OctetString("Portcullis"))
 *         .add(3, () -> new TimeTicks(upTime()));
 * }</pre>
 *
 * <p>Threading: built on one thread, then read-only.
 */
final class ScalarGroup implements Subtree {

    private final OID root;
    private final NavigableMap<OID, Supplier<Variable>> scalars = new TreeMap<>();

    private ScalarGroup(OID root) {
        this.root = root;
    }

    static ScalarGroup under(OID root) {
        return new ScalarGroup(root);
    }

    /** Adds scalar {@code root.sub} (instance {@code root.sub.0}). */
    ScalarGroup add(int sub, Supplier<Variable> value) {
        return addInstance(new OID(root).append(sub).append(0), value);
    }

    /** Adds the instance {@code instance}, which must lie under the root (for a group of one: {@code root.0}). */
    ScalarGroup addInstance(OID instance, Supplier<Variable> value) {
        if (!instance.startsWith(root) || instance.size() <= root.size()) {
            throw new IllegalArgumentException("instance " + instance + " is not under " + root);
        }
        if (scalars.put(instance, value) != null) {
            throw new IllegalArgumentException("scalar " + instance + " added twice");
        }
        return this;
    }

    @Override
    public OID root() {
        return root;
    }

    @Override
    public Variable get(OID oid) {
        Supplier<Variable> s = scalars.get(oid);
        return s == null ? null : s.get();
    }

    @Override
    public VariableBinding next(OID from, boolean inclusive) {
        Map.Entry<OID, Supplier<Variable>> e = inclusive ? scalars.ceilingEntry(from) : scalars.higherEntry(from);
        return e == null ? null : new VariableBinding(e.getKey(), e.getValue().get());
    }
}
