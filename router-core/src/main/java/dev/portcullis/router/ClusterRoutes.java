package dev.portcullis.router;

import dev.portcullis.policy.ClusterNode;
import dev.portcullis.policy.IpFamily;
import dev.portcullis.policy.IpPrefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's routes to each node's podCIDR via that node's address (F5's "static routing mode"), so the
 * edge reaches pod IPs directly with no NAT: replaces changed routes, adds missing ones, removes stale ones.
 *
 * <p>Our routes carry their own route protocol number ({@code proto N}, 188 by default), so the appliance finds
 * and removes exactly the routes it made and never touches anyone else's. Uses iproute2's {@code ip}; needs
 * CAP_NET_ADMIN. Not thread-safe: the daemon calls it from its control thread.
 */
public final class ClusterRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

    /** Runs one command and returns its exit code and output. */
    @FunctionalInterface
    public interface CommandRunner {
        Result run(List<String> argv) throws IOException;

        record Result(int exitCode, String output) {
        }

        /** Runs the command as a process, with a 10 s limit. */
        static CommandRunner processes() {
            return argv -> {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
                try {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        return new Result(124, String.join(" ", argv) + ": timed out");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                    throw new IOException("interrupted running " + argv, e);
                }
                return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            };
        }
    }

    /** One route's state after a sync: what it should be and whether the kernel has it. */
    public record RouteStatus(String node, IpPrefix podCidr, String via, State state, String detail) {
        public enum State { INSTALLED, FAILED, REMOVED }
    }

    private final int protocol;
    private final CommandRunner runner;
    /** Written by the control thread at each sync; read by the console. */
    private volatile List<RouteStatus> last = List.of();

    public ClusterRoutes(int protocol, CommandRunner runner) {
        if (protocol < 1 || protocol > 255) {
            throw new IllegalArgumentException("route protocol " + protocol + " is outside 1-255");
        }
        this.protocol = protocol;
        this.runner = runner;
    }

    /** Makes the kernel's routes match the nodes: one per node podCIDR via the node's address. */
    public List<RouteStatus> sync(List<ClusterNode> nodes) {
        List<RouteStatus> out = new ArrayList<>();
        Map<IpPrefix, String> desired = new LinkedHashMap<>();
        for (ClusterNode n : nodes) {
            String family = n.podCidr().family() == IpFamily.V4 ? "-4" : "-6";
            if (n.podCidr().family() != n.address().family()) {
                out.add(new RouteStatus(n.name(), n.podCidr(), n.address().toString(), RouteStatus.State.FAILED,
                        "node address and podCIDR are of different families"));
                continue;
            }
            desired.put(n.podCidr(), n.address().toString());
            CommandRunner.Result r = run(List.of("ip", family, "route", "replace", n.podCidr().toString(), "via",
                    n.address().toString(), "proto", Integer.toString(protocol)));
            out.add(new RouteStatus(n.name(), n.podCidr(), n.address().toString(),
                    r.exitCode() == 0 ? RouteStatus.State.INSTALLED : RouteStatus.State.FAILED, r.output().strip()));
            if (r.exitCode() != 0) {
                LOG.warn("sync: route {} via {} for node {} failed: {}", n.podCidr(), n.address(), n.name(),
                        r.output().strip());
            }
        }
        for (String family : List.of("-4", "-6")) {
            CommandRunner.Result listed = run(List.of("ip", family, "route", "show", "proto",
                    Integer.toString(protocol)));
            if (listed.exitCode() != 0) {
                continue;
            }
            for (String line : listed.output().split("\n")) {
                String dst = line.strip().split("\\s+")[0];
                IpPrefix prefix;
                try {
                    prefix = IpPrefix.parse(dst);
                } catch (IllegalArgumentException e) {
                    continue; // "default" or a form we never install
                }
                if (desired.containsKey(prefix)) {
                    continue;
                }
                CommandRunner.Result del = run(List.of("ip", family, "route", "del", dst, "proto",
                        Integer.toString(protocol)));
                LOG.info("sync: removed stale route {} ({})", dst, del.exitCode() == 0 ? "ok" : del.output().strip());
                out.add(new RouteStatus("", prefix, "", RouteStatus.State.REMOVED, del.output().strip()));
            }
        }
        last = List.copyOf(out);
        return last;
    }

    /** The result of the latest sync. */
    public List<RouteStatus> status() {
        return last;
    }

    private CommandRunner.Result run(List<String> argv) {
        try {
            return runner.run(argv);
        } catch (IOException e) {
            return new CommandRunner.Result(127, e.getMessage());
        }
    }
}
