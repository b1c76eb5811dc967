package dev.portcullis.mgmt.ssh;

import dev.portcullis.mgmt.audit.AuditLog;
import dev.portcullis.mgmt.console.Console;
import dev.portcullis.policy.ApplianceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.UserAuthFactory;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH management server: Apache Mina SSHD on the management address, serving the {@link Console} as shell
 * and as one-shot command, and SFTP into each user's upload area. Nothing else: no system shell or command, no
 * port, agent or X11 forwarding, no SCP.
 *
 * <pre>{@code
 * SshConsoleServer server = SshConsoleServer.start(config.ssh().get(), "192.0.2.5", config.users(), console, audit);
 * server.port();    // the bound port (useful when the settings ask for an ephemeral one in tests)
 * server.close();
 * }</pre>
 *
 * <p>Threading: {@link #start} and {@link #close} from one control thread; the server runs on Mina's threads.
 */
public final class SshConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshConsoleServer.class);

    /** What clients see in the SSH version exchange; no version number, so as not to help an attacker. */
    static final String IDENTIFICATION = "Portcullis";

    /** Authentication requests one connection may make before it is dropped. */
    static final int MAX_AUTH_REQUESTS = 6;

    private final SshServer server;
    private final Logins logins;
    private final ScheduledExecutorService sweeper;

    private SshConsoleServer(SshServer server, Logins logins, ScheduledExecutorService sweeper) {
        this.server = server;
        this.logins = logins;
        this.sweeper = sweeper;
    }

    /**
     * Starts the server on {@code host} and the configured port (0 picks a free one).
     *
     * @throws SshConsoleException when a user's key cannot be used, the host keys cannot be read or made, or the
     *                             port cannot be bound; nothing is left running
     */
    public static SshConsoleServer start(ApplianceConfig.Ssh settings, String host, List<ApplianceConfig.User> users,
                                         Console console, AuditLog audit) throws SshConsoleException {
        return start(settings, settings.port(), host, users, console, audit);
    }

    /** As {@link #start(ApplianceConfig.Ssh, String, List, Console, AuditLog)} on {@code port}; 0 picks one. */
    public static SshConsoleServer start(ApplianceConfig.Ssh settings, int port, String host,
                                         List<ApplianceConfig.User> users, Console console, AuditLog audit)
            throws SshConsoleException {
        Accounts accounts = Accounts.of(users);
        List<KeyPair> hostKeys;
        try {
            hostKeys = HostKeys.loadOrCreate(settings.hostKeys());
            Files.createDirectories(settings.uploads());
            Files.setPosixFilePermissions(settings.uploads(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new SshConsoleException("cannot prepare the SSH console: " + e.getMessage(), e);
        }
        SshServer server = SshServer.setUpDefaultServer();
        LoginGuard guard = new LoginGuard(settings.lockout());
        Logins logins = new Logins(accounts, guard, audit, settings.passwordLogin(), settings.maxSessions(),
                () -> server.getActiveSessions().size());
        server.setHost(host);
        server.setPort(port);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKeys));
        List<UserAuthFactory> methods = new ArrayList<>();
        methods.add(UserAuthPublicKeyFactory.INSTANCE);
        server.setPublickeyAuthenticator(logins);
        if (settings.passwordLogin()) {
            methods.add(UserAuthPasswordFactory.INSTANCE);
            server.setPasswordAuthenticator(logins);
        } else {
            server.setPasswordAuthenticator(null);
        }
        server.setUserAuthFactories(methods);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setAgentFactory(null);
        server.setShellFactory(channel -> new ConsoleCommand(console, accounts, Optional.empty()));
        server.setCommandFactory((channel, command) -> new ConsoleCommand(console, accounts, Optional.of(command)));
        server.setFileSystemFactory(new UploadAreas(settings.uploads()));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder()
                .withFileSystemAccessor(new UploadAreas.NoLinks()).build()));
        server.addSessionListener(logins);
        CoreModuleProperties.SERVER_IDENTIFICATION.set(server, IDENTIFICATION);
        CoreModuleProperties.IDLE_TIMEOUT.set(server, settings.idleTimeout());
        CoreModuleProperties.AUTH_TIMEOUT.set(server, java.time.Duration.ofSeconds(60));
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(server, MAX_AUTH_REQUESTS);
        CoreModuleProperties.MAX_CONCURRENT_SESSIONS.set(server, settings.maxSessionsPerUser());
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ssh-guard-sweeper").daemon().factory());
        sweeper.scheduleWithFixedDelay(guard::sweep, 1, 1, TimeUnit.MINUTES);
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            sweeper.shutdownNow();
            logins.close();
            try {
                server.stop(true);
            } catch (IOException ignored) {
                // nothing was running
            }
            throw new SshConsoleException("cannot listen for SSH on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("start: SSH console on {}:{} for {} users; password login {}", host, server.getPort(),
                accounts.size(), settings.passwordLogin() ? "on" : "off");
        return new SshConsoleServer(server, logins, sweeper);
    }

    /** What the server tells monitoring: logged-in sessions opening and closing, failed logins. */
    public interface Events {
        void sessionOpened();

        void sessionClosed();

        void loginFailed();
    }

    /**
     * Tells {@code events} of every logged-in session that opens or closes and every failed login from now on.
     * Call once, right after start.
     */
    public void onEvents(Events events) {
        java.util.Objects.requireNonNull(events, "events");
        logins.onFailure(events::loginFailed);
        server.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            private static final org.apache.sshd.common.AttributeRepository.AttributeKey<Boolean> COUNTED =
                    new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

            @Override
            public void sessionEvent(org.apache.sshd.common.session.Session session, Event event) {
                if (event == Event.Authenticated && session.setAttribute(COUNTED, Boolean.TRUE) == null) {
                    events.sessionOpened();
                }
            }

            @Override
            public void sessionClosed(org.apache.sshd.common.session.Session session) {
                if (session.removeAttribute(COUNTED) != null) {
                    events.sessionClosed();
                }
            }
        });
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    /** Sessions open now, logged in or not. */
    public int sessions() {
        return server.getActiveSessions().size();
    }

    /** Failed logins since start (for monitoring). */
    public long failedLogins() {
        return logins.failures();
    }

    @Override
    public void close() throws IOException {
        sweeper.shutdownNow();
        logins.close();
        server.stop(true);
        LOG.info("close: SSH console stopped");
    }
}
