package dev.portcullis.mgmt.console;

import dev.portcullis.mgmt.audit.AuditLog;
import dev.portcullis.policy.ApplianceConfig.Role;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The console of one appliance: its grammar, what its commands read and change, and where they are recorded.
 * Makes one {@link ConsoleSession} per logged-in session.
 *
 * <pre>{@code
 * Console console = new Console(new DataPlaneView(plane, routes, node, version, decisions), store, audit, uploads);
 * ConsoleSession s = console.session("alice", Role.ADMIN, "192.0.2.7");
 * ConsoleSession.Result r = s.execute("show rules hits | json");
 * }</pre>
 *
 * <p>Thread-safe: sessions share it.
 */
public final class Console {

    private final ApplianceView view;
    private final ConfigBackend config;
    private final AuditLog audit;
    private final Path uploads;
    private final Grammar grammar = Commands.grammar();

    /**
     * @param uploads the directory holding each user's upload area ({@code uploads/USER}), where {@code load}
     *                finds files
     */
    /** Set once at start, before sessions; volatile for the sessions' threads. */
    private volatile java.util.Optional<SystemSoftware> software = java.util.Optional.empty();

    public Console(ApplianceView view, ConfigBackend config, AuditLog audit, Path uploads) {
        this.view = Objects.requireNonNull(view, "view");
        this.config = Objects.requireNonNull(config, "config");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.uploads = Objects.requireNonNull(uploads, "uploads");
    }

    public ConsoleSession session(String user, Role role, String source) {
        return new ConsoleSession(this, user, role, source);
    }

    /** The installed software (A/B slots), when this appliance was installed from an image. */
    public java.util.Optional<SystemSoftware> software() {
        return software;
    }

    /** Connects the software commands; call once, before the console serves anyone. */
    public Console withSoftware(java.util.Optional<SystemSoftware> s) {
        this.software = java.util.Objects.requireNonNull(s, "software");
        return this;
    }

    public ApplianceView view() {
        return view;
    }

    public ConfigBackend config() {
        return config;
    }

    public AuditLog audit() {
        return audit;
    }

    public Grammar grammar() {
        return grammar;
    }

    /** The upload area of {@code user}: {@code uploads/USER}. */
    public Path uploadArea(String user) {
        return uploads.resolve(user);
    }
}
