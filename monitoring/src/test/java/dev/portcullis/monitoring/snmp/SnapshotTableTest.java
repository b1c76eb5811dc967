package dev.portcullis.monitoring.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

class SnapshotTableTest {

    private static final OID ENTRY = new OID("1.3.6.1.4.1.32473.1.9.1");

    /** Invariant: get and next agree with a sorted map of every instance, from any starting OID. */
    @Test
    void nextAndGet_randomTablesAndStarts_agreeWithASortedMap() {
        Random random = new Random(20261128);
        for (int round = 0; round < 200; round++) {
            int[] columns = random.ints(1 + random.nextInt(4), 1, 12).distinct().sorted().toArray();
            List<SnapshotTable.Row> rows = new ArrayList<>();
            TreeMap<OID, Variable> reference = new TreeMap<>();
            int n = random.nextInt(6);
            for (int r = 0; r < n; r++) {
                OID index = random.nextBoolean() ? new OID(new int[] {1 + random.nextInt(50)})
                        : new OID(new int[] {1 + random.nextInt(5), 1 + random.nextInt(10)});
                if (rows.stream().anyMatch(x -> x.index().equals(index))) {
                    continue;
                }
                Variable[] cells = new Variable[columns.length];
                for (int c = 0; c < columns.length; c++) {
                    cells[c] = new Integer32(random.nextInt(1000));
                    reference.put(new OID(ENTRY).append(columns[c]).append(index), cells[c]);
                }
                rows.add(new SnapshotTable.Row(index, cells));
            }
            SnapshotTable table = new SnapshotTable(ENTRY, columns, () -> rows);
            for (int probe = 0; probe < 30; probe++) {
                OID from = randomOid(random);
                boolean inclusive = random.nextBoolean();
                Map.Entry<OID, Variable> want = inclusive ? reference.ceilingEntry(from) : reference.higherEntry(from);
                VariableBinding got = table.next(from, inclusive);
                if (want == null) {
                    assertThat(got).as("next after %s in %s", from, reference).isNull();
                } else {
                    assertThat(got).as("next after %s in %s", from, reference).isNotNull();
                    assertThat(got.getOid()).isEqualTo(want.getKey());
                    assertThat(got.getVariable()).isEqualTo(want.getValue());
                }
                assertThat(table.get(from)).isEqualTo(reference.get(from));
            }
        }
    }

    private static OID randomOid(Random random) {
        OID oid = new OID(ENTRY);
        int extra = random.nextInt(4);
        if (random.nextInt(10) == 0) {
            oid.trim(random.nextInt(2) + 1); // above the table
            return oid;
        }
        for (int i = 0; i < extra; i++) {
            oid.append(random.nextInt(12));
        }
        return oid;
    }

    @Test
    void rows_keptForASecond_thenTakenAgain() {
        AtomicInteger calls = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000);
        SnapshotTable t = new SnapshotTable(ENTRY, new int[] {2}, () -> {
            calls.incrementAndGet();
            return List.of(new SnapshotTable.Row(new OID(new int[] {1}), new Variable[] {new Integer32(calls.get())}));
        }, now::get);
        OID cell = new OID(ENTRY).append(2).append(1);
        assertThat(t.get(cell)).isEqualTo(new Integer32(1));
        now.addAndGet(999);
        assertThat(t.next(ENTRY, false).getVariable()).isEqualTo(new Integer32(1));
        now.addAndGet(1);
        assertThat(t.get(cell)).isEqualTo(new Integer32(2));
        assertThat(calls).hasValue(2);
    }
}
