package dev.portcullis.router;

import dev.portcullis.policy.HostPort;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What the data plane's counters cost one TCP connection: every counter update a connection makes, in the order
 * the data plane makes them (classifier lookup, rule hit with its time, service and endpoint opened, one read
 * relayed each way, closed), on two threads at once as on the two event loops of a 2-core machine, all on the
 * same rule, service and endpoint (the worst case for contention).
 *
 * <p>Set the result against the time a connection takes at the measured connection rate (docs/performance.md):
 * at 6,400 new connections a second on 2 cores a connection costs about 310 µs of CPU, so 2% is about 6 µs.
 * Monitoring adds nothing to this path: its meters read these counters when scraped.
 *
 * <p>It lives in package {@code dev.portcullis.router} to call the counters' package-private update methods;
 * the benchmarks run from the class path, where the split package is allowed.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar CounterCost -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CounterCostBenchmark {

    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final RuleCounter rule = counters.rule("web");
    private final ServiceCounters service = counters.service("web");
    private final Endpoint endpoint = new Endpoint(HostPort.parse("10.244.1.5:8080"));

    /** The counter updates of one connection that relays one read each way. */
    @Benchmark
    @Threads(2)
    public void perConnection() {
        counters.lookedUp();
        rule.hit(System.currentTimeMillis());
        endpoint.opened();
        service.opened();
        service.addBytesIn(512);
        endpoint.addBytesToEndpoint(512);
        service.addBytesOut(4096);
        endpoint.addBytesFromEndpoint(4096);
        endpoint.closed();
        service.closed();
    }

    /** The counter updates of one more read relayed, for connections that carry more than one. */
    @Benchmark
    @Threads(2)
    public void perRead() {
        service.addBytesIn(512);
        endpoint.addBytesToEndpoint(512);
    }
}
