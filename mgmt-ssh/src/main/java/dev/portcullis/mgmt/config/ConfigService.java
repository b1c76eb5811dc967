package dev.portcullis.mgmt.config;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.Diagnostic;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.router.DataPlaneException;
import dev.portcullis.router.ReloadReport;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration service: the running policy and its history, configuration sessions, commits, and the
 * automatic rollback of an unconfirmed {@code commit confirmed}. What the SSH console's configuration mode talks
 * to.
 *
 * <pre>{@code
 * ConfigStore store = ConfigStore.open(config.state().directory(), config.state().keepRevisions());
 * if (store.running().isEmpty()) {
 *     store.importPolicy(Files.readString(config.policy()), Instant.now(), "imported from " + config.policy());
 * }
 * ConfigService service = ConfigService.open(store, ConfigService.Settings.defaults());
 * DataPlane plane = DataPlane.start(transport, settings, service.runningPolicy());
 * service.start(plane::apply, () -> plane.recentFlows().snapshot());
 *
 * ConfigSession s = service.openSession(new Operator("alice", "198.51.100.7:50022"), uploads.resolve("alice"));
 * s.set("rules.web.action", "reject");
 * System.out.print(s.compare().format());
 * s.commitConfirmed(Duration.ofMinutes(5), "try refusing web");
 * s.confirm();
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * {@link #open} reads the running revision; if it is an unconfirmed {@code commit confirmed} whose deadline has
 * passed (the appliance was down when it ran out), it records the automatic rollback at once, before anything
 * runs. {@link #runningPolicy} is then what the data plane starts with. {@link #start} hands over the data plane
 * (its apply, and its recent flows for the verdict diff) and arms the rollback timer of a confirmation still
 * pending; commits are refused before it.
 *
 * <h2>Commit</h2>
 * Under one lock, so commits, confirmations and rollbacks happen one at a time: the candidate is checked in full
 * (refused with its diagnostics when invalid); refused if the running revision is no longer the one the session
 * started from, naming who committed since; applied to the data plane (refused with the data plane's reason, nothing
 * changed); then recorded as the next revision. If recording fails, the data plane gets the running policy back.
 *
 * <h2>Commit confirmed</h2>
 * The revision records its deadline and the revision to return to (the last confirmed one: a second
 * {@code commit confirmed} before {@code confirm} keeps the first one's return point). Unless {@link #confirm}
 * comes first, the timer applies that revision's policy and records it as a new automatic-rollback revision;
 * established connections stay (the data plane's apply keeps them). A plain commit in between confirms by
 * replacing. If the data plane refuses the rollback, it is retried every {@value #RETRY_SECONDS} seconds.
 *
 * <p>Thread-safe: sessions on many threads may call in at once; state changes are serialized by one lock.
 */
public final class ConfigService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigService.class);

    static final int RETRY_SECONDS = 30;
    /** The shortest and longest {@code commit confirmed} windows. */
    public static final Duration MIN_CONFIRM = Duration.ofMinutes(1);
    public static final Duration MAX_CONFIRM = Duration.ofHours(24);

    /**
     * The service's clock and rollback timer.
     *
     * @param clock the time recorded in revisions and compared with deadlines
     * @param timer runs automatic rollbacks; closed with the service
     */
    public record Settings(InstantSource clock, ConfirmTimer timer) {
        public Settings {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(timer, "timer");
        }

        /** The system clock and a daemon timer thread (started on first use). */
        public static Settings defaults() {
            return new Settings(InstantSource.system(), ConfirmTimer.daemon());
        }
    }

    private final ConfigStore store;
    private final Settings settings;
    private final Object lock = new Object();

    /** The running revision compiled; guarded by lock (volatile for lock-free readers). */
    private volatile CompiledPolicy running;
    /** Null until start; guarded by lock. */
    private PolicyApplier applier;
    /** Set once by start; read by sessions without the lock. */
    private volatile FlowSamples recentFlows = FlowSamples.NONE;
    /** The armed rollback, or null; guarded by lock. */
    private ConfirmTimer.Scheduled scheduled;
    /** Guarded by lock. */
    private boolean closed;
    /** Told of every new revision; set once by the appliance before commits start, read under lock. */
    private volatile RevisionListener listener = (r, p) -> { };

    /**
     * Told of every revision the service records while running: commits and automatic rollbacks (monitoring's
     * figures and notifications). Called on the committing thread, under the service's lock: keep it quick, and
     * do not call back into the service.
     */
    @FunctionalInterface
    public interface RevisionListener {
        void recorded(Revision revision, CompiledPolicy policy);
    }

    /** Sets the one listener told of new revisions. */
    public void onRevision(RevisionListener l) {
        this.listener = Objects.requireNonNull(l, "listener");
    }

    private void told(Revision r, CompiledPolicy policy) {
        try {
            listener.recorded(r, policy);
        } catch (RuntimeException e) {
            LOG.warn("told: the revision listener failed on revision {}: {}", r.number(), e.toString());
        }
    }

    private ConfigService(ConfigStore store, Settings settings, CompiledPolicy running) {
        this.store = store;
        this.settings = settings;
        this.running = running;
    }

    /**
     * Opens the service on a store that has a running revision; rolls back at once an unconfirmed
     * {@code commit confirmed} whose deadline passed while the appliance was down.
     *
     * @throws ConfigException INVALID_RUNNING when the store is empty or its running revision is not a valid policy;
     *                         STORE_FAILED when it cannot be read or written
     */
    public static ConfigService open(ConfigStore store, Settings settings) throws ConfigException {
        Revision head = store.running().orElseThrow(() -> new ConfigException(ConfigException.Kind.INVALID_RUNNING,
                "the configuration store " + store.directory() + " is empty; import a policy first"));
        Optional<PendingConfirm> pending = store.pending();
        if (pending.isPresent() && !settings.clock().instant().isBefore(pending.get().deadline())) {
            LOG.warn("open: revision {} was not confirmed by {}; rolling back to revision {} before starting",
                    pending.get().revision().number(), pending.get().deadline(), pending.get().rollbackTo());
            String text;
            CompiledPolicy compiled;
            try {
                text = read(store, pending.get().rollbackTo());
                compiled = compile(text, pending.get().rollbackTo());
            } catch (ConfigException e) {
                // Without the revision to return to, starting on the running one beats not starting at all.
                LOG.error("open: revision {} cannot be restored ({}); starting on unconfirmed revision {}",
                        pending.get().rollbackTo(), e.getMessage(), head.number());
                return new ConfigService(store, settings, compile(read(store, head.number()), head.number()));
            }
            ConfigService service = new ConfigService(store, settings, compiled);
            try {
                service.recordRollback(pending.get(), text);
            } catch (ConfigException e) {
                // Start on the rolled-back policy anyway; start() arms the timer, which retries the record.
                LOG.error("open: {}; the data plane starts on revision {} regardless", e.getMessage(),
                        pending.get().rollbackTo());
            }
            return service;
        }
        return new ConfigService(store, settings, compile(read(store, head.number()), head.number()));
    }

    private static String read(ConfigStore store, int number) throws ConfigException {
        try {
            return store.text(number);
        } catch (NoSuchFileException e) {
            throw new ConfigException(ConfigException.Kind.NO_SUCH_REVISION, "no revision " + number + ": "
                    + e.getReason(), e);
        } catch (IOException e) {
            throw new ConfigException(ConfigException.Kind.STORE_FAILED, "revision " + number + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    private static CompiledPolicy compile(String text, int number) throws ConfigException {
        PolicyLoader.PolicyCheck check = PolicyLoader.check("revision " + number, text);
        if (check.compiled().isEmpty()) {
            throw new ConfigException(ConfigException.Kind.INVALID_RUNNING, "revision " + number
                    + " is not a valid policy (" + check.errors() + " errors)", check.diagnostics());
        }
        return check.compiled().get();
    }

    /**
     * Hands over the data plane, which now runs {@link #runningPolicy}, and arms the rollback of a pending
     * {@code commit confirmed}. Commits are accepted from now on.
     *
     * @param dataPlane applies committed policies ({@code plane::apply})
     * @param flows the data plane's recent flows, for the verdict diff ({@code () -> plane.recentFlows().snapshot()})
     * @throws IllegalStateException when started twice or after close
     */
    public void start(PolicyApplier dataPlane, FlowSamples flows) {
        Objects.requireNonNull(dataPlane, "dataPlane");
        Objects.requireNonNull(flows, "flows");
        synchronized (lock) {
            if (closed || applier != null) {
                throw new IllegalStateException("start: the configuration service is " + (closed ? "closed"
                        : "already started"));
            }
            applier = dataPlane;
            recentFlows = flows;
            store.pending().ifPresent(p -> {
                LOG.info("start: revision {} waits for confirmation until {}, else revision {} comes back",
                        p.revision().number(), p.deadline(), p.rollbackTo());
                arm(p);
            });
        }
    }

    /** The running policy, compiled: what the data plane runs. */
    public CompiledPolicy runningPolicy() {
        return running;
    }

    /** The running revision. */
    public Revision running() {
        return store.running().orElseThrow();
    }

    /** Every revision kept, newest first. */
    public List<Revision> history() {
        return store.history();
    }

    /** The commit confirmed waiting for {@code confirm}, if any. */
    public Optional<PendingConfirm> pendingConfirm() {
        return store.pending();
    }

    /**
     * The policy text of a revision.
     *
     * @throws ConfigException NO_SUCH_REVISION when never made or pruned; STORE_FAILED when unreadable
     */
    public String text(int revision) throws ConfigException {
        return read(store, revision);
    }

    /**
     * Opens a configuration session whose candidate starts as the running revision.
     *
     * @param uploadArea the directory {@code load} reads from (the operator's upload area); nothing outside it
     */
    public ConfigSession openSession(Operator who, Path uploadArea) throws ConfigException {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(uploadArea, "uploadArea");
        Revision base = running();
        return new ConfigSession(this, who, uploadArea, base, text(base.number()));
    }

    /** The compiled policy of a revision, for comparisons; empty when it is not valid under today's checks. */
    Optional<CompiledPolicy> compiled(Revision r) throws ConfigException {
        CompiledPolicy now = running;
        if (r.number() == running().number()) {
            return Optional.of(now);
        }
        return PolicyLoader.check("revision " + r.number(), text(r.number())).compiled();
    }

    FlowSamples recentFlows() {
        return recentFlows;
    }

    Instant now() {
        return settings.clock().instant();
    }

    /**
     * Commits a session's candidate as described in the class comment.
     *
     * @param confirmWithin for {@code commit confirmed}: how long until the automatic rollback
     */
    CommitResult commit(ConfigSession session, String text, String comment, Optional<Duration> confirmWithin)
            throws ConfigException {
        synchronized (lock) {
            if (applier == null || closed) {
                throw new ConfigException(ConfigException.Kind.NOT_RUNNING, "commits are not possible now: the "
                        + "configuration service is " + (closed ? "closed" : "not started yet"));
            }
            PolicyLoader.PolicyCheck check = PolicyLoader.check(PolicyDocument.SOURCE, text);
            if (check.compiled().isEmpty()) {
                throw new ConfigException(ConfigException.Kind.INVALID_CANDIDATE, "the candidate is not a valid "
                        + "policy (" + check.errors() + (check.errors() == 1 ? " error" : " errors")
                        + "); nothing was committed", check.diagnostics());
            }
            Revision current = running();
            if (current.number() != session.base().number()) {
                throw new ConfigException(ConfigException.Kind.CONFLICT, "the running revision changed since this "
                        + "candidate was taken from revision " + session.base().number() + ": " + current.describe()
                        + "; nothing was committed. 'compare' shows the difference; 'discard' starts again from "
                        + "revision " + current.number());
            }
            Optional<Instant> confirmBy = Optional.empty();
            OptionalInt rollbackTo = OptionalInt.empty();
            Instant now = now();
            if (confirmWithin.isPresent()) {
                confirmBy = Optional.of(now.plus(confirmWithin.get()));
                rollbackTo = OptionalInt.of(store.pending().map(PendingConfirm::rollbackTo)
                        .orElse(current.number()));
            }
            CompiledPolicy compiled = check.compiled().get();
            ReloadReport report = apply(compiled, "the data plane refused the candidate");
            Revision r;
            try {
                r = store.append(text, now, session.operator(), comment, Revision.Origin.COMMIT, confirmBy,
                        rollbackTo);
            } catch (IOException | RuntimeException e) {
                restore(running, "commit");
                throw new ConfigException(ConfigException.Kind.STORE_FAILED, "the revision could not be recorded ("
                        + e.getMessage() + "); the data plane runs revision " + current.number()
                        + " again; nothing was committed", e);
            }
            running = compiled;
            cancelTimer();
            Optional<PendingConfirm> pending = store.pending();
            pending.ifPresent(this::arm);
            LOG.info("commit: {}{}: {}", r.describe(), pending.map(p -> ", confirm by " + p.deadline()
                    + " or revision " + p.rollbackTo() + " comes back").orElse(""), report);
            told(r, compiled);
            List<Diagnostic> warnings = check.diagnostics().stream().filter(d -> !d.isError()).toList();
            return new CommitResult(r, report, warnings, pending);
        }
    }

    /**
     * Confirms the pending {@code commit confirmed}: it stays, and the timer is called off.
     *
     * @throws ConfigException NOTHING_TO_CONFIRM when none is pending; STORE_FAILED when the confirmation cannot be
     *                         recorded (the rollback then still happens)
     */
    public Revision confirm(Operator who) throws ConfigException {
        synchronized (lock) {
            PendingConfirm p = store.pending().orElseThrow(() -> new ConfigException(
                    ConfigException.Kind.NOTHING_TO_CONFIRM, "no commit is waiting for confirmation"));
            try {
                store.confirm(p.revision().number());
            } catch (IOException e) {
                throw new ConfigException(ConfigException.Kind.STORE_FAILED, "the confirmation could not be "
                        + "recorded (" + e.getMessage() + "); revision " + p.rollbackTo() + " still comes back at "
                        + p.deadline(), e);
            }
            cancelTimer();
            LOG.info("confirm: revision {} confirmed by {}", p.revision().number(), who);
            return p.revision();
        }
    }

    private ReloadReport apply(CompiledPolicy compiled, String what) throws ConfigException {
        try {
            return applier.apply(compiled);
        } catch (DataPlaneException e) {
            throw new ConfigException(ConfigException.Kind.APPLY_FAILED, what + ": " + e.getMessage()
                    + "; nothing changed", e);
        } catch (RuntimeException e) {
            throw new ConfigException(ConfigException.Kind.APPLY_FAILED, what + ": " + e
                    + "; nothing changed", e);
        }
    }

    /** Gives the data plane {@code policy} back after a failed write; logs when even that fails. */
    private void restore(CompiledPolicy policy, String during) {
        try {
            applier.apply(policy);
        } catch (DataPlaneException | RuntimeException e) {
            LOG.error("restore: after a failed {}, the data plane could not be given the running policy back: {}",
                    during, e.toString());
        }
    }

    /** Arms the automatic rollback of {@code p} at its deadline. Called under lock. */
    private void arm(PendingConfirm p) {
        cancelTimer();
        Duration delay = Duration.between(now(), p.deadline());
        int number = p.revision().number();
        scheduled = settings.timer().schedule(delay, () -> rollbackIfDue(number));
    }

    private void cancelTimer() {
        if (scheduled != null) {
            scheduled.cancel();
            scheduled = null;
        }
    }

    /**
     * The timer's task: rolls revision {@code number} back if it is still running unconfirmed and its deadline has
     * come; re-arms when early, retries when the data plane refuses.
     */
    private void rollbackIfDue(int number) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Optional<PendingConfirm> p = store.pending();
            if (p.isEmpty() || p.get().revision().number() != number) {
                return; // confirmed, or replaced by a newer commit
            }
            if (now().isBefore(p.get().deadline())) {
                arm(p.get());
                return;
            }
            try {
                String text = read(store, p.get().rollbackTo());
                CompiledPolicy compiled = compile(text, p.get().rollbackTo());
                apply(compiled, "rollback: the data plane refused revision " + p.get().rollbackTo());
                running = compiled;
                recordRollback(p.get(), text);
            } catch (ConfigException | RuntimeException e) {
                LOG.error("rollbackIfDue: revision {} is unconfirmed past {} but could not be rolled back: {}; "
                        + "trying again in {} s", number, p.get().deadline(), e.getMessage(), RETRY_SECONDS);
                scheduled = settings.timer().schedule(Duration.ofSeconds(RETRY_SECONDS), () -> rollbackIfDue(number));
            }
        }
    }

    /**
     * Records the automatic rollback of {@code p} as a new revision holding {@code text}. The data plane already
     * runs it (or nothing runs yet, at open).
     */
    private void recordRollback(PendingConfirm p, String text) throws ConfigException {
        Revision r = p.revision();
        String comment = "automatic rollback: revision " + r.number() + " by " + r.author() + " from " + r.source()
                + " was not confirmed by " + p.deadline() + "; back to revision " + p.rollbackTo();
        try {
            Revision done = store.append(text, now(), Operator.SYSTEM, comment, Revision.Origin.AUTOMATIC_ROLLBACK,
                    Optional.empty(), OptionalInt.empty());
            LOG.warn("recordRollback: {}", done.describe());
            told(done, running);
        } catch (IOException e) {
            // The data plane keeps the rolled-back policy either way (never the unconfirmed one): safer.
            throw new ConfigException(ConfigException.Kind.STORE_FAILED, "the automatic rollback could not be "
                    + "recorded: " + e.getMessage(), e);
        }
    }

    /** Stops the timer. The store stays open: its owner closes it. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimer();
        }
        settings.timer().close();
    }
}
