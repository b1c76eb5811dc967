package dev.portcullis.router;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.portcullis.policy.Action;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DecisionLogTest {

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(DecisionLog.LOGGER);

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void log_flood_writesAtMostTheBurstAndCountsTheRest() {
        DataPlaneCounters counters = new DataPlaneCounters();
        DecisionLog log = new DecisionLog(1, 5, counters);
        InetSocketAddress client = new InetSocketAddress("198.51.100.7", 40000);
        InetSocketAddress listener = new InetSocketAddress("203.0.113.10", 443);
        for (int i = 0; i < 1000; i++) {
            log.log("web \"quoted\"", 2, Action.ACCEPT, 6, client, listener, "web");
        }
        assertThat(lines.list).hasSizeBetween(5, 6);
        assertThat(counters.decisionsSuppressed()).isEqualTo(1000 - lines.list.size());
        assertThat(lines.list.getFirst().getFormattedMessage())
                .startsWith("{\"time\":\"")
                .contains("\"rule\":\"web \\\"quoted\\\"\",\"ruleNumber\":2,\"action\":\"accept\",\"protocol\":\"tcp\"")
                .contains("\"source\":\"198.51.100.7\",\"sourcePort\":40000")
                .contains("\"destination\":\"203.0.113.10\",\"destinationPort\":443,\"service\":\"web\"")
                .endsWith("\"suppressedBefore\":0}");
    }
}
