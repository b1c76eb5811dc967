package dev.portcullis.monitoring;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The control plane's figures, reported by the configuration store and the SSH console and read by the
 * Prometheus endpoint, the SNMP agent and {@code show metrics}: the running policy's revision, rule count and
 * commit time, SSH sessions and failed logins.
 *
 * <pre>{@code
 * ControlPlaneMetrics cp = monitoring.controlPlane();
 * cp.policyCommitted(new PolicyRevision(42, 310, Instant.now(), "alice"));   // after a commit took effect
 * cp.sshSessionOpened(); ... cp.sshSessionClosed();
 * cp.loginFailed();
 * }</pre>
 *
 * <p>Threading: every method may be called from any thread; the policy figures change together (one reference).
 */
public final class ControlPlaneMetrics {

    /**
     * The policy the appliance runs: its revision, its number of rules, when it was committed and by whom.
     *
     * @param committedAt {@link Instant#EPOCH} before the first commit
     */
    public record PolicyRevision(long revision, int ruleCount, Instant committedAt, String author) {
        /** Before anything was committed. */
        public static final PolicyRevision NONE = new PolicyRevision(0, 0, Instant.EPOCH, "");

        public PolicyRevision {
            Objects.requireNonNull(committedAt, "committedAt");
            Objects.requireNonNull(author, "author");
            if (revision < 0 || ruleCount < 0) {
                throw new IllegalArgumentException("revision " + revision + " and rule count " + ruleCount
                        + " must not be negative");
            }
        }
    }

    private final AtomicReference<PolicyRevision> policy = new AtomicReference<>(PolicyRevision.NONE);
    private final AtomicInteger sshSessions = new AtomicInteger();
    private final LongAdder sshSessionsTotal = new LongAdder();
    private final LongAdder failedLogins = new LongAdder();

    /** Records the policy now running (after a commit, a rollback, or a reload from disk). */
    public void policyCommitted(PolicyRevision revision) {
        policy.set(Objects.requireNonNull(revision, "revision"));
    }

    public PolicyRevision policy() {
        return policy.get();
    }

    /** An SSH session was opened (after authentication). */
    public void sshSessionOpened() {
        sshSessions.incrementAndGet();
        sshSessionsTotal.increment();
    }

    /** An SSH session opened with {@link #sshSessionOpened()} ended. */
    public void sshSessionClosed() {
        sshSessions.decrementAndGet();
    }

    /** A login attempt failed (wrong key or password, unknown user). */
    public void loginFailed() {
        failedLogins.increment();
    }

    /** SSH sessions open now. */
    public int sshSessions() {
        return sshSessions.get();
    }

    /** SSH sessions opened since start. */
    public long sshSessionsTotal() {
        return sshSessionsTotal.sum();
    }

    /** Failed logins since start. */
    public long failedLogins() {
        return failedLogins.sum();
    }
}
