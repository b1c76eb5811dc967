package dev.portcullis.monitoring.snmp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * A read-only conceptual table: instances {@code entry.COLUMN.INDEX}, read from a snapshot of rows.
 *
 * <p>The rows come from a supplier and are kept for {@value #MAX_AGE_MILLIS} ms, so that a walk sees one
 * consistent snapshot and a large table (a policy of 100,000 rules) is not rebuilt for every GETNEXT. Lookups are
 * binary searches over the rows sorted by index; nothing is kept per instance.
 *
 * <p>Threading: safe from any thread; the snapshot is replaced whole.
 */
final class SnapshotTable implements Subtree {

    static final long MAX_AGE_MILLIS = 1000;

    /** One row: its index (the OID suffix after the column) and a value per column, in column order. */
    record Row(OID index, Variable[] cells) {
        Row {
            Objects.requireNonNull(index, "index");
            for (Variable v : cells) {
                Objects.requireNonNull(v, "cell");
            }
        }
    }

    private final OID entry;
    private final int[] columns;
    private final Supplier<List<Row>> rows;
    private final LongSupplier clock;

    /** Guarded by this. */
    private Row[] snapshot;
    private long takenAt;

    /**
     * @param entry the table's entry OID ({@code ...Table.1})
     * @param columns the column numbers, ascending; a row's cells are in this order
     */
    SnapshotTable(OID entry, int[] columns, Supplier<List<Row>> rows) {
        this(entry, columns, rows, System::currentTimeMillis);
    }

    SnapshotTable(OID entry, int[] columns, Supplier<List<Row>> rows, LongSupplier clock) {
        for (int i = 1; i < columns.length; i++) {
            if (columns[i] <= columns[i - 1]) {
                throw new IllegalArgumentException("columns must ascend: " + Arrays.toString(columns));
            }
        }
        this.entry = entry;
        this.columns = columns.clone();
        this.rows = rows;
        this.clock = clock;
    }

    @Override
    public OID root() {
        return entry;
    }

    private synchronized Row[] rows() {
        long now = clock.getAsLong();
        if (snapshot == null || now - takenAt >= MAX_AGE_MILLIS || now < takenAt) {
            List<Row> r = new ArrayList<>(rows.get());
            r.sort(Comparator.comparing(Row::index));
            for (Row row : r) {
                if (row.cells().length != columns.length) {
                    throw new IllegalStateException("row " + row.index() + " has " + row.cells().length
                            + " cells for " + columns.length + " columns");
                }
            }
            snapshot = r.toArray(Row[]::new);
            takenAt = now;
        }
        return snapshot;
    }

    @Override
    public Variable get(OID oid) {
        if (oid.size() <= entry.size() + 1 || !oid.startsWith(entry)) {
            return null;
        }
        int col = Arrays.binarySearch(columns, oid.get(entry.size()));
        if (col < 0) {
            return null;
        }
        OID index = new OID(oid.getValue(), entry.size() + 1, oid.size() - entry.size() - 1);
        Row[] r = rows();
        int i = search(r, index);
        return i >= 0 ? r[i].cells()[col] : null;
    }

    @Override
    public VariableBinding next(OID from, boolean inclusive) {
        Row[] r = rows();
        if (r.length == 0) {
            return null;
        }
        for (int c = 0; c < columns.length; c++) {
            OID column = new OID(entry).append(columns[c]);
            int cmp = from.compareTo(column);
            int start;
            if (cmp < 0 || !from.startsWith(column)) {
                if (cmp > 0) {
                    continue; // past this column's instances
                }
                start = 0; // before this column: its first row
            } else {
                OID index = new OID(from.getValue(), column.size(), from.size() - column.size());
                int i = search(r, index);
                start = i >= 0 ? (inclusive ? i : i + 1) : -i - 1;
            }
            if (start < r.length) {
                return new VariableBinding(new OID(column).append(r[start].index()), r[start].cells()[c]);
            }
        }
        return null;
    }

    private static int search(Row[] rows, OID index) {
        int lo = 0;
        int hi = rows.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = rows[mid].index().compareTo(index);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }
}
