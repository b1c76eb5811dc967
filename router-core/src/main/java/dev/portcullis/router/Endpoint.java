package dev.portcullis.router;

import dev.portcullis.policy.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One pod endpoint of a service at run time: its address and its live state, shared by the balancer, the health
 * checker and the proxy.
 *
 * <p>Threading: every field is safe to read and update from any event loop. {@code healthy} is volatile and
 * written only by the health checker; the counters are atomic. An endpoint keeps its state across policy reloads
 * while its service and address stay (the service runtime reuses the instance).
 */
public final class Endpoint {

    private final HostPort address;
    private final InetSocketAddress socketAddress;

    /** Written by the health checker only; read on every selection. Starts healthy so traffic flows at once. */
    private volatile boolean healthy = true;

    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder total = new LongAdder();
    private final LongAdder bytesToEndpoint = new LongAdder();
    private final LongAdder bytesFromEndpoint = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();

    public Endpoint(HostPort address) {
        this.address = address;
        this.socketAddress = socketAddress(address);
    }

    /** The socket address of a policy address, built from its bytes (no resolver). */
    public static InetSocketAddress socketAddress(HostPort hp) {
        return new InetSocketAddress(Addresses.toInet(hp.address()), hp.port());
    }

    public HostPort address() {
        return address;
    }

    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    public boolean healthy() {
        return healthy;
    }

    /** Sets the health state; returns whether it changed. Called by the health checker. */
    public boolean healthy(boolean up) {
        boolean was = healthy;
        healthy = up;
        return was != up;
    }

    /** Active connections (or UDP flows) to this endpoint now. */
    public int active() {
        return active.get();
    }

    /** Counts a new connection or flow to this endpoint. */
    public void opened() {
        active.incrementAndGet();
        total.increment();
    }

    /** Counts the end of a connection or flow opened with {@link #opened()}. */
    public void closed() {
        active.decrementAndGet();
    }

    public long total() {
        return total.sum();
    }

    public void addBytesToEndpoint(long n) {
        bytesToEndpoint.add(n);
    }

    public void addBytesFromEndpoint(long n) {
        bytesFromEndpoint.add(n);
    }

    public long bytesToEndpoint() {
        return bytesToEndpoint.sum();
    }

    public long bytesFromEndpoint() {
        return bytesFromEndpoint.sum();
    }

    public void connectFailed() {
        connectFailures.increment();
    }

    public long connectFailures() {
        return connectFailures.sum();
    }

    @Override
    public String toString() {
        return address + (healthy ? " up" : " down");
    }

    /** Conversions between policy addresses and the JDK's, without a resolver. */
    static final class Addresses {
        private Addresses() {
        }

        static InetAddress toInet(dev.portcullis.policy.IpAddress a) {
            byte[] b;
            if (a.family() == dev.portcullis.policy.IpFamily.V4) {
                int v = a.v4Bits();
                b = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
            } else {
                b = new byte[16];
                for (int i = 0; i < 8; i++) {
                    b[i] = (byte) (a.hi() >>> (56 - 8 * i));
                    b[i + 8] = (byte) (a.lo() >>> (56 - 8 * i));
                }
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("address of " + b.length + " bytes refused", e);
            }
        }
    }
}
