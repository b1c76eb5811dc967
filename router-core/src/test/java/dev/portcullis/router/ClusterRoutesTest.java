package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.ClusterNode;
import dev.portcullis.policy.IpAddress;
import dev.portcullis.policy.IpPrefix;
import dev.portcullis.policy.Location;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route sync's commands against a fake {@code ip} that keeps a route table. */
class ClusterRoutesTest {

    /** A fake `ip` command: remembers routes added with our protocol and lists them back as the real one does. */
    static final class FakeIp implements ClusterRoutes.CommandRunner {
        final List<String> table = new ArrayList<>();
        final List<List<String>> calls = new ArrayList<>();

        @Override
        public Result run(List<String> argv) {
            calls.add(argv);
            String verb = argv.get(3);
            switch (verb) {
                case "replace" -> {
                    String dst = argv.get(4);
                    table.removeIf(l -> l.startsWith(dst + " "));
                    table.add(dst + " via " + argv.get(6) + " dev eth1 proto 188");
                    return new Result(0, "");
                }
                case "show" -> {
                    String family = argv.get(1);
                    return new Result(0, String.join("\n", table.stream()
                            .filter(l -> family.equals("-6") == l.contains(":")).toList()));
                }
                case "del" -> {
                    table.removeIf(l -> l.startsWith(argv.get(4) + " "));
                    return new Result(0, "");
                }
                default -> {
                    return new Result(1, "unexpected " + argv);
                }
            }
        }
    }

    private static ClusterNode node(String name, String address, String pod) {
        return new ClusterNode(name, IpAddress.parse(address), IpPrefix.parse(pod), new Location("p.yaml", 1, 1));
    }

    @Test
    void sync_nodes_installsOneRouteEachWithOurProtocol() {
        FakeIp ip = new FakeIp();
        var status = new ClusterRoutes(188, ip).sync(List.of(node("n1", "192.168.56.11", "10.244.1.0/24"),
                node("n2", "192.168.56.12", "10.244.2.0/24")));
        assertThat(ip.calls.getFirst()).containsExactly("ip", "-4", "route", "replace", "10.244.1.0/24", "via",
                "192.168.56.11", "proto", "188");
        assertThat(ip.table).containsExactly("10.244.1.0/24 via 192.168.56.11 dev eth1 proto 188",
                "10.244.2.0/24 via 192.168.56.12 dev eth1 proto 188");
        assertThat(status).extracting(ClusterRoutes.RouteStatus::state)
                .containsOnly(ClusterRoutes.RouteStatus.State.INSTALLED);
    }

    @Test
    void sync_nodeRemovedOrMoved_removesStaleAndReplacesChanged() {
        FakeIp ip = new FakeIp();
        ClusterRoutes routes = new ClusterRoutes(188, ip);
        routes.sync(List.of(node("n1", "192.168.56.11", "10.244.1.0/24"), node("n2", "192.168.56.12",
                "10.244.2.0/24"), node("v6", "2001:db8::11", "fd00:10:244:1::/64")));
        var status = routes.sync(List.of(node("n1", "192.168.56.21", "10.244.1.0/24")));
        assertThat(ip.table).containsExactly("10.244.1.0/24 via 192.168.56.21 dev eth1 proto 188");
        assertThat(status).filteredOn(s -> s.state() == ClusterRoutes.RouteStatus.State.REMOVED)
                .extracting(s -> s.podCidr().toString())
                .containsExactlyInAnyOrder("10.244.2.0/24", "fd00:10:244:1::/64");
    }

    @Test
    void sync_commandFails_reportedNotThrown() {
        ClusterRoutes routes = new ClusterRoutes(188, argv -> new ClusterRoutes.CommandRunner.Result(2,
                "RTNETLINK answers: Operation not permitted"));
        var status = routes.sync(List.of(node("n1", "192.168.56.11", "10.244.1.0/24")));
        assertThat(status).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(ClusterRoutes.RouteStatus.State.FAILED);
            assertThat(s.detail()).contains("not permitted");
        });
    }
}
