package dev.portcullis.router;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.IpProtocols;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON line per decision of a rule that asks for it ({@code log: true}) to the logger
 * {@code portcullis.decisions}, rate-limited so that a flood cannot fill the disk: past the rate, lines are
 * counted as suppressed instead, and the next line written says how many were.
 *
 * <pre>{"time":"...","rule":"web","ruleNumber":2,"action":"accept","protocol":"tcp",
 *  "source":"198.51.100.7","sourcePort":40000,"destination":"203.0.113.10","destinationPort":443,
 *  "service":"web","suppressedBefore":0}</pre>
 *
 * Thread-safe; called from every event loop once per logged decision (not per packet).
 */
public final class DecisionLog {

    /** The logger name the appliance routes to its decisions file. */
    public static final String LOGGER = "portcullis.decisions";

    /** The file the appliance's logging configuration writes the decisions to, in its log directory. */
    public static final String FILE_NAME = "decisions.log";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final TokenBucket bucket;
    private final DataPlaneCounters counters;
    private final java.util.concurrent.atomic.AtomicLong suppressedSinceLast = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param perSecond lines per second written at most, on average
     * @param burst lines that may be written at once before the rate applies
     */
    public DecisionLog(double perSecond, int burst, DataPlaneCounters counters) {
        this.bucket = new TokenBucket(perSecond, burst);
        this.counters = counters;
    }

    void log(String rule, int ruleNumber, Action action, int protocol, InetSocketAddress source,
             InetSocketAddress destination, String service) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        if (!bucket.tryTake(System.nanoTime())) {
            suppressedSinceLast.incrementAndGet();
            counters.decisionLogged(false);
            return;
        }
        long suppressed = suppressedSinceLast.getAndSet(0);
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":\"").append(Instant.now()).append("\",\"rule\":");
        string(sb, rule);
        sb.append(",\"ruleNumber\":").append(ruleNumber)
                .append(",\"action\":\"").append(action.word()).append("\",\"protocol\":");
        string(sb, IpProtocols.name(protocol));
        sb.append(",\"source\":");
        string(sb, source.getAddress().getHostAddress());
        sb.append(",\"sourcePort\":").append(source.getPort()).append(",\"destination\":");
        string(sb, destination.getAddress().getHostAddress());
        sb.append(",\"destinationPort\":").append(destination.getPort()).append(",\"service\":");
        string(sb, service);
        sb.append(",\"suppressedBefore\":").append(suppressed).append('}');
        LOG.info(sb.toString());
        counters.decisionLogged(true);
    }

    /** Appends {@code s} as a JSON string. */
    static void string(StringBuilder sb, String s) {
        JsonStrings.append(sb, s);
    }
}
