package dev.portcullis.monitoring;

import static dev.portcullis.monitoring.TestCluster.freePort;
import static dev.portcullis.monitoring.TestCluster.policy;
import static dev.portcullis.monitoring.TestCluster.readLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.router.DataPlane;
import dev.portcullis.router.RefusalReason;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LimitWatchTest {

    private final TestCluster cluster = new TestCluster();

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    @Test
    void look_serviceLimitHitBetweenLooks_oneNotificationWithTheCount() throws Exception {
        int port = freePort();
        int podPort = freePort();
        cluster.pod("127.1.1.10", podPort, "pod");
        DataPlane plane = cluster.start(policy("""
                web:
                  listen: [127.0.0.1:%d]
                  endpoints: [127.1.1.10:%d]
                  healthCheck: {enabled: false}
                  limits: {maxConnections: 1}
                """.formatted(port, podPort), "- {name: web, destination: [service:web], action: accept}"));
        List<Notification> got = new CopyOnWriteArrayList<>();
        try (Notifications n = new Notifications(100)) {
            n.addSink(got::add);
            LimitWatch watch = new LimitWatch(plane, n);
            watch.look();
            try (Socket held = new Socket()) {
                held.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                held.setSoTimeout(5000);
                assertThat(readLine(held)).isEqualTo("pod");
                assertThat(TestCluster.refused(port)).isTrue();
                assertThat(TestCluster.refused(port)).isTrue();
            }
            TestCluster.await(() -> plane.counters().service("web").refusals(RefusalReason.SERVICE_LIMIT) == 2,
                    "both refusals are counted");
            watch.look();
            watch.look(); // nothing new: nothing more
            assertThat(n.drain(5000)).isTrue();
            assertThat(got).containsExactly(new Notification.LimitHit("web", RefusalReason.SERVICE_LIMIT, 2));
        }
    }
}
