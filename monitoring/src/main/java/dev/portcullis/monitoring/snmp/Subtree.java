package dev.portcullis.monitoring.snmp;

import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * A read-only part of the MIB under one root: a group of scalars or a table. {@link SubtreeObject} serves it to
 * the agent.
 *
 * <p>Threading: called from the agent's request thread; values are read from the live counters.
 */
interface Subtree {

    /** Every instance lies under this prefix. */
    OID root();

    /** The value of instance {@code oid}, or null if there is no such instance. */
    Variable get(OID oid);

    /**
     * The first instance after {@code from} in OID order (or at it, when {@code inclusive}), or null if there is
     * none under {@link #root()}.
     */
    VariableBinding next(OID from, boolean inclusive);
}
