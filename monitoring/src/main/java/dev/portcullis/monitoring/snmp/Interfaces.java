package dev.portcullis.monitoring.snmp;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.Variable;

/**
 * IF-MIB (RFC 2863) for the machine's real network interfaces, read from the kernel's {@code /sys/class/net}:
 * {@code ifNumber}, {@code ifTable} and {@code ifXTable} with the 64-bit (HC) counters. Rows are indexed by the
 * kernel's ifindex, so an index stays with its interface.
 *
 * <p>The kernel counts received multicast packets but not broadcast, nor any transmitted multicast or broadcast:
 * those columns are 0 and the unicast columns count every packet but received multicast. {@code ifLastChange} and
 * {@code ifCounterDiscontinuityTime} are 0 (the kernel keeps no change time). Speeds the kernel does not know
 * (loopback, virtual links) are 0.
 */
final class Interfaces {

    static final OID IF_NUMBER = new OID("1.3.6.1.2.1.2.1");
    static final OID IF_ENTRY = new OID("1.3.6.1.2.1.2.2.1");
    static final OID IFX_ENTRY = new OID("1.3.6.1.2.1.31.1.1.1");

    /** ifTable columns served: ifIndex .. ifOutErrors, without the deprecated ones (12, 18, 21, 22). */
    static final int[] IF_COLUMNS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20};
    /** ifXTable columns served: ifName .. ifCounterDiscontinuityTime. */
    static final int[] IFX_COLUMNS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};

    private static final long MAX32 = 0xFFFF_FFFFL;
    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;
    private static final int IFF_PROMISC = 0x100;

    private final Path sysClassNet;

    Interfaces(Path sysClassNet) {
        this.sysClassNet = sysClassNet;
    }

    /** One interface as the kernel describes it now. */
    record Link(int index, String name, int arpType, int mtu, long speedMbps, byte[] mac, int flags,
                boolean operUp, boolean physical, String alias, long rxBytes, long rxPackets, long rxMulticast,
                long rxErrors, long rxDropped, long txBytes, long txPackets, long txErrors, long txDropped) {
    }

    /** Every interface now, in no particular order; an interface that vanishes while read is left out. */
    List<Link> links() {
        List<Link> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sysClassNet)) {
            for (Path d : dirs) {
                try {
                    out.add(read(d));
                } catch (IOException | NumberFormatException e) {
                    // gone between listing and reading, or not an interface
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    private static Link read(Path d) throws IOException {
        Path s = d.resolve("statistics");
        int flags = Integer.decode(text(d, "flags"));
        String oper = optional(d, "operstate", "unknown");
        // "unknown" is what the kernel says for loopback and some virtual links: go by the flags then.
        boolean operUp = oper.equals("up") || (oper.equals("unknown") && (flags & IFF_UP) != 0
                && (flags & IFF_RUNNING) != 0);
        long speed;
        try {
            speed = Math.max(0, Long.parseLong(optional(d, "speed", "0")));
        } catch (NumberFormatException e) {
            speed = 0;
        }
        return new Link(Integer.parseInt(text(d, "ifindex")), d.getFileName().toString(),
                Integer.parseInt(text(d, "type")), Integer.parseInt(text(d, "mtu")), speed,
                mac(optional(d, "address", "")), flags, operUp, Files.exists(d.resolve("device")),
                optional(d, "ifalias", ""),
                number(s, "rx_bytes"), number(s, "rx_packets"), number(s, "multicast"), number(s, "rx_errors"),
                number(s, "rx_dropped"), number(s, "tx_bytes"), number(s, "tx_packets"), number(s, "tx_errors"),
                number(s, "tx_dropped"));
    }

    private static String text(Path d, String file) throws IOException {
        return Files.readString(d.resolve(file)).strip();
    }

    /** A file some interfaces lack or refuse to read (speed on a link that is down says EINVAL). */
    private static String optional(Path d, String file, String dflt) {
        try {
            return text(d, file);
        } catch (IOException e) {
            return dflt;
        }
    }

    private static long number(Path d, String file) throws IOException {
        return Long.parseUnsignedLong(text(d, file));
    }

    private static byte[] mac(String text) {
        if (text.isEmpty()) {
            return new byte[0];
        }
        String[] parts = text.split(":");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        boolean zero = true;
        for (byte x : b) {
            zero &= x == 0;
        }
        return zero ? new byte[0] : b; // loopback's 00:00:00:00:00:00 means none (RFC 2863: zero length)
    }

    /** IANAifType from the kernel's ARPHRD type: ethernetCsmacd(6), softwareLoopback(24), tunnel(131), other(1). */
    static int ifType(int arpType) {
        return switch (arpType) {
            case 1 -> 6;
            case 772 -> 24;
            case 768, 769, 776, 778, 823 -> 131;
            default -> 1;
        };
    }

    Subtree ifNumber() {
        return ScalarGroup.under(IF_NUMBER).addInstance(new OID(IF_NUMBER).append(0),
                () -> new Integer32(links().size()));
    }

    Subtree ifTable() {
        return new SnapshotTable(IF_ENTRY, IF_COLUMNS, () -> links().stream().map(l -> new SnapshotTable.Row(
                new OID(new int[] {l.index()}), new Variable[] {
                    new Integer32(l.index()),
                    new OctetString(l.name()),
                    new Integer32(ifType(l.arpType())),
                    new Integer32(l.mtu()),
                    new Gauge32(Math.min(MAX32, l.speedMbps() * 1_000_000)),
                    new OctetString(l.mac()),
                    new Integer32((l.flags() & IFF_UP) != 0 ? 1 : 2),
                    new Integer32(l.operUp() ? 1 : 2),
                    new TimeTicks(0),
                    new Counter32(l.rxBytes() & MAX32),
                    new Counter32((l.rxPackets() - l.rxMulticast()) & MAX32),
                    new Counter32(l.rxDropped() & MAX32),
                    new Counter32(l.rxErrors() & MAX32),
                    new Counter32(0),
                    new Counter32(l.txBytes() & MAX32),
                    new Counter32(l.txPackets() & MAX32),
                    new Counter32(l.txDropped() & MAX32),
                    new Counter32(l.txErrors() & MAX32)})).toList());
    }

    Subtree ifXTable() {
        return new SnapshotTable(IFX_ENTRY, IFX_COLUMNS, () -> links().stream().map(l -> new SnapshotTable.Row(
                new OID(new int[] {l.index()}), new Variable[] {
                    new OctetString(l.name()),
                    new Counter32(l.rxMulticast() & MAX32),
                    new Counter32(0),
                    new Counter32(0),
                    new Counter32(0),
                    new Counter64(l.rxBytes()),
                    new Counter64(l.rxPackets() - l.rxMulticast()),
                    new Counter64(l.rxMulticast()),
                    new Counter64(0),
                    new Counter64(l.txBytes()),
                    new Counter64(l.txPackets()),
                    new Counter64(0),
                    new Counter64(0),
                    new Integer32(2), // ifLinkUpDownTrapEnable: disabled (this agent sends no linkUp/linkDown)
                    new Gauge32(Math.min(MAX32, l.speedMbps())),
                    new Integer32((l.flags() & IFF_PROMISC) != 0 ? 1 : 2),
                    new Integer32(l.physical() ? 1 : 2),
                    new OctetString(l.alias()),
                    new TimeTicks(0)})).toList());
    }
}
