package dev.portcullis.mgmt.ssh;

import dev.portcullis.policy.PasswordHash;
import dev.portcullis.mgmt.audit.AuditEvent;
import dev.portcullis.mgmt.audit.AuditLog;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may log in, and what a failed login costs: checks public keys and (when enabled) passwords against the
 * {@link Accounts}; refuses connections from sources the {@link LoginGuard} has locked out or asks to wait, and
 * beyond the global session limit; audits every login, failed login and refused connection.
 *
 * <p>A failed login is a wrong password (each one), or a session that ends without logging in after trying at
 * least one key or password. Password answers to a source past {@code delayAfter} failures come late, without
 * holding a server thread (the check completes on a scheduler).
 *
 * <p>Threading: called from Mina's I/O threads; all state is in the thread-safe guard, the audit log and the
 * sessions' attributes.
 */
final class Logins implements PublickeyAuthenticator, PasswordAuthenticator, SessionListener {

    private static final Logger LOG = LoggerFactory.getLogger(Logins.class);

    /** The method a session last tried ({@code publickey} or {@code password}); unset until it tries one. */
    static final AttributeKey<String> TRIED = new AttributeKey<>();
    /** Set on a session once a failure of it was counted (so its end does not count another). */
    static final AttributeKey<Boolean> FAILURE_COUNTED = new AttributeKey<>();
    /** The user name the session tried to log in as. */
    static final AttributeKey<String> USER = new AttributeKey<>();
    /** Set on a session refused as soon as it was made. */
    static final AttributeKey<Boolean> REFUSED = new AttributeKey<>();
    /** How the session logged in: {@code publickey SHA256:...} or {@code password}. */
    static final AttributeKey<String> METHOD = new AttributeKey<>();

    /**
     * A hash verified for unknown users and users without a password, so that the answer takes as long as for a
     * real one and does not tell which user names exist.
     */
    private static final PasswordHash DUMMY = PasswordHash.parse(PasswordHash.hash("unused".toCharArray()));

    private final Accounts accounts;
    private final LoginGuard guard;
    private final AuditLog audit;
    private final boolean passwords;
    private final int maxSessions;
    private final IntSupplier activeSessions;
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    /** Runs password checks (a third of a second each) and delayed answers off Mina's I/O threads. */
    private final ScheduledExecutorService checks = Executors.newScheduledThreadPool(2,
            Thread.ofPlatform().name("ssh-login-", 0).daemon().factory());

    Logins(Accounts accounts, LoginGuard guard, AuditLog audit, boolean passwords, int maxSessions,
           IntSupplier activeSessions) {
        this.accounts = accounts;
        this.guard = guard;
        this.audit = audit;
        this.passwords = passwords;
        this.maxSessions = maxSessions;
        this.activeSessions = activeSessions;
    }

    static String source(SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress()
                : String.valueOf(a);
    }

    static String source(Session s) {
        return source(s.getIoSession().getRemoteAddress());
    }

    /**
     * Closes a new session at once when its source is locked out or must wait, or when the console is full. (Done
     * here rather than when the connection is accepted: Mina leaves a connection refused there open.)
     */
    @Override
    public void sessionCreated(Session session) {
        String source = source(session);
        Duration locked = guard.lockedFor(source);
        String why = null;
        if (!locked.isZero()) {
            why = "locked out for " + locked.toSeconds() + " s more after repeated failed logins";
        } else if (!guard.waitBeforeNext(source).isZero()) {
            why = "too soon after a failed login; wait " + guard.waitBeforeNext(source).toMillis() + " ms";
        } else if (activeSessions.getAsInt() >= maxSessions) {
            why = "the console has its " + maxSessions + " sessions already";
        }
        if (why != null) {
            LOG.warn("sessionCreated: refusing {}: {}", source, why);
            session.setAttribute(REFUSED, Boolean.TRUE);
            record("", source, "connection-refused", "", "refused: " + why);
            session.close(true);
        }
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        session.setAttribute(TRIED, "publickey");
        session.setAttribute(USER, username);
        String source = source(session);
        if (!guard.lockedFor(source).isZero()) {
            return false;
        }
        Optional<Accounts.Account> account = accounts.get(username);
        boolean ok = account.isPresent() && account.get().holds(key);
        if (ok) {
            session.setAttribute(METHOD, "publickey " + KeyUtils.getFingerPrint(key));
        }
        return ok;
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) throws AsyncAuthException {
        session.setAttribute(TRIED, "password");
        session.setAttribute(USER, username);
        String source = source(session);
        if (!passwords) {
            // The method is not offered; a client that tries it anyway fails like any other.
            failed(session, username, "password", "password login is off");
            return false;
        }
        if (!guard.lockedFor(source).isZero()) {
            return false;
        }
        AsyncAuthException answer = new AsyncAuthException();
        long waitMillis = guard.delay(source).toMillis();
        char[] typed = password.toCharArray();
        checks.schedule(() -> {
            Optional<Accounts.Account> account = accounts.get(username);
            PasswordHash hash = account.flatMap(Accounts.Account::password).orElse(DUMMY);
            boolean ok = hash.matches(typed) && account.flatMap(Accounts.Account::password).isPresent();
            java.util.Arrays.fill(typed, '\0');
            if (ok) {
                session.setAttribute(METHOD, "password");
            } else {
                failed(session, username, "password", account.isEmpty() ? "no such user" : "wrong password");
            }
            answer.setAuthed(ok);
        }, waitMillis, TimeUnit.MILLISECONDS);
        throw answer;
    }

    /** Told of each failed login (monitoring); set once before the server starts serving. */
    private volatile Runnable onFailure = () -> { };

    void onFailure(Runnable r) {
        this.onFailure = java.util.Objects.requireNonNull(r, "onFailure");
    }

    /** Counts and audits a failed login of {@code session}. */
    private void failed(Session session, String username, String method, String why) {
        session.setAttribute(FAILURE_COUNTED, Boolean.TRUE);
        failures.increment();
        onFailure.run();
        String source = source(session);
        boolean lockedNow = guard.failed(source);
        LOG.warn("failed: login of '{}' from {} by {} failed: {}", username, source, method, why);
        record(username, source, "login-failed", method, "refused: " + why);
        if (lockedNow) {
            LOG.warn("failed: {} is locked out after {} failed logins", source, guard.failures(source));
            record(username, source, "lockout", "", "locked out after " + guard.failures(source)
                    + " failed logins");
        }
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated) {
            String source = source(session);
            guard.succeeded(source);
            String method = Optional.ofNullable(session.getAttribute(METHOD)).orElse("");
            LOG.info("sessionEvent: {} logged in from {} by {}", session.getUsername(), source, method);
            record(session.getUsername(), source, "login", method, "ok");
        }
    }

    @Override
    public void sessionClosed(Session session) {
        ServerSession s = (ServerSession) session;
        String user = session.getUsername() != null ? session.getUsername()
                : Optional.ofNullable(session.getAttribute(USER)).orElse("");
        if (session.getAttribute(REFUSED) != null) {
            return;
        }
        if (s.isAuthenticated()) {
            record(user, source(session), "logout", "", "ok");
        } else if (session.getAttribute(METHOD) != null) {
            // The credentials were good, yet the session never logged in: Mina turned it away after them, when
            // the user already had maxSessionsPerUser sessions. Not a failed login.
            LOG.warn("sessionClosed: {} from {} was turned away after authenticating (session limit)", user,
                    source(session));
            record(user, source(session), "login-refused", session.getAttribute(METHOD),
                    "refused: the user has the most sessions allowed");
        } else if (session.getAttribute(TRIED) != null && session.getAttribute(FAILURE_COUNTED) == null) {
            failed(session, user, session.getAttribute(TRIED), session.getAttribute(TRIED).equals("password")
                    ? "no password accepted" : "no key offered was accepted");
        }
    }

    private void record(String user, String source, String event, String command, String result) {
        try {
            audit.write(new AuditEvent(Instant.now(), user, source, event, command, result));
        } catch (java.io.UncheckedIOException e) {
            LOG.error("record: {} {} from {} not audited: {}", event, user, source, e.getMessage());
        }
    }

    /** Failed logins since start. */
    long failures() {
        return failures.sum();
    }

    void close() {
        checks.shutdownNow();
    }
}
