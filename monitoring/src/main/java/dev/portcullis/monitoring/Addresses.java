package dev.portcullis.monitoring;

import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpFamily;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Conversions of policy addresses to the JDK's, from their bytes (no resolver). */
final class Addresses {

    private Addresses() {
    }

    static InetAddress inet(IpAddress a) {
        return inet(bytes(a));
    }

    static byte[] bytes(IpAddress a) {
        if (a.family() == IpFamily.V4) {
            int v = a.v4Bits();
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (a.hi() >>> (56 - 8 * i));
            b[i + 8] = (byte) (a.lo() >>> (56 - 8 * i));
        }
        return b;
    }

    private static InetAddress inet(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + b.length + " bytes refused", e);
        }
    }
}
