package dev.portcullis.image;

import dev.portcullis.policy.ApplianceConfig;
import dev.portcullis.policy.ApplianceConfigReader;
import dev.portcullis.policy.HostPort;
import dev.portcullis.policy.PolicyException;
import dev.portcullis.policy.PolicyLoader;
import dev.portcullis.policy.Service;
import dev.portcullis.policy.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The appliance's health seen from outside its process, for the boot assessment unit: the daemon's systemd unit is
 * active, its configuration and policy are valid (what it loaded), every TCP listener of the policy accepts a
 * connection, and the console answers with an SSH banner. A listener on the wildcard address is tried on loopback.
 * The appliance may supply its own in-process {@link HealthCheck} to {@link SoftwareManager#assessBoot} instead.
 */
public final class ApplianceHealthCheck implements HealthCheck {

    private final Path configDir;
    private final Optional<InetSocketAddress> console;
    private final Optional<String> unit;
    private final Duration timeout;

    /**
     * @param unit the systemd unit that must be active, or empty to skip that check
     * @param console where the SSH console listens, or empty to skip that check
     */
    public ApplianceHealthCheck(Path configDir, Optional<InetSocketAddress> console, Optional<String> unit,
                                Duration timeout) {
        this.configDir = configDir;
        this.console = console;
        this.unit = unit;
        this.timeout = timeout;
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        unit.ifPresent(u -> unitProblem(u).ifPresent(problems::add));
        ApplianceConfig cfg;
        try {
            cfg = ApplianceConfigReader.read(configDir);
        } catch (PolicyException e) {
            problems.add(configDir.resolve(ApplianceConfigReader.FILE_NAME) + " is invalid: "
                    + e.getMessage());
            return problems;
        } catch (IOException e) {
            problems.add("configuration unreadable: " + e.getMessage());
            return problems;
        }
        PolicyLoader.PolicyCheck check;
        try {
            check = PolicyLoader.check(cfg.policy());
        } catch (IOException e) {
            problems.add("policy unreadable: " + e.getMessage());
            return problems;
        }
        if (check.compiled().isEmpty()) {
            problems.add("policy " + cfg.policy() + " is invalid (" + check.errors() + " errors)");
            return problems;
        }
        for (Service s : check.compiled().get().policy().services()) {
            if (s.protocol() != Transport.TCP) {
                continue;
            }
            for (HostPort l : s.listen()) {
                InetSocketAddress a = reachable(l);
                try (Socket socket = new Socket()) {
                    socket.connect(a, (int) timeout.toMillis());
                } catch (IOException e) {
                    problems.add("listener " + l + " of service " + s.name() + " does not accept connections: "
                            + e.getMessage());
                }
            }
        }
        console.ifPresent(c -> consoleProblem(c).ifPresent(problems::add));
        return problems;
    }

    private static InetSocketAddress reachable(HostPort l) {
        String host = l.address().toString();
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::")) {
            host = "::1";
        }
        return new InetSocketAddress(host, l.port());
    }

    private Optional<String> consoleProblem(InetSocketAddress c) {
        try (Socket socket = new Socket()) {
            socket.connect(c, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = socket.getInputStream();
            byte[] banner = new byte[8];
            int n = in.readNBytes(banner, 0, banner.length);
            String start = new String(banner, 0, n, StandardCharsets.US_ASCII);
            return start.equals("SSH-2.0-") ? Optional.empty() : Optional.of("console " + c
                    + " answered without an SSH banner: '" + start.strip() + "'");
        } catch (IOException e) {
            return Optional.of("console " + c + " is not reachable: " + e.getMessage());
        }
    }

    private static Optional<String> unitProblem(String unit) {
        try {
            Exec.Result r = Exec.run(List.of("systemctl", "is-active", unit), java.util.Map.of(), new byte[0]);
            String state = r.out().strip();
            return state.equals("active") ? Optional.empty() : Optional.of(unit + " is " + state);
        } catch (IOException e) {
            return Optional.of("cannot ask systemd about " + unit + ": " + e.getMessage());
        }
    }
}
