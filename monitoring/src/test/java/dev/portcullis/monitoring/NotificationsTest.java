package dev.portcullis.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.HostPort;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NotificationsTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void publish_overTheRate_suppressedPerKindAndCounted() throws Exception {
        List<Notification> got = new CopyOnWriteArrayList<>();
        try (Notifications n = new Notifications(2, now::get)) {
            n.addSink(got::add);
            for (int i = 0; i < 5; i++) {
                n.commit(i, "alice");
            }
            n.endpointDown("web", HostPort.parse("10.0.0.1:80"));
            assertThat(n.drain(5000)).isTrue();
            assertThat(got).containsExactly(new Notification.Commit(0, "alice"), new Notification.Commit(1, "alice"),
                    new Notification.EndpointDown("web", HostPort.parse("10.0.0.1:80")));
            assertThat(n.sent(Notification.Kind.COMMIT)).isEqualTo(2);
            assertThat(n.suppressed(Notification.Kind.COMMIT)).isEqualTo(3);
            assertThat(n.sent(Notification.Kind.ENDPOINT_DOWN)).isEqualTo(1);

            now.addAndGet(TimeUnit.SECONDS.toNanos(30)); // half a minute: one more commit token
            n.commit(9, "bob");
            n.commit(10, "bob");
            assertThat(n.drain(5000)).isTrue();
            assertThat(got.getLast()).isEqualTo(new Notification.Commit(9, "bob"));
            assertThat(n.suppressed(Notification.Kind.COMMIT)).isEqualTo(4);
        }
    }

    @Test
    void publish_failingSink_othersStillGetIt() throws Exception {
        List<Notification> got = new CopyOnWriteArrayList<>();
        try (Notifications n = new Notifications(10, now::get)) {
            n.addSink(x -> {
                throw new IllegalStateException("broken sink");
            });
            n.addSink(got::add);
            n.automaticRollback(5, 4, "carol");
            assertThat(n.drain(5000)).isTrue();
            assertThat(got).containsExactly(new Notification.AutomaticRollback(5, 4, "carol"));
        }
    }
}
