package dev.portcullis.monitoring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus endpoint: {@code GET /metrics} answers the registry in the text exposition format (version
 * 0.0.4), on one address only, optionally behind basic authentication. Runs on the JDK's HTTP server with two
 * threads of its own; any other path is 404, any other method 405.
 *
 * <pre>{@code
 * MetricsEndpoint e = MetricsEndpoint.start(new InetSocketAddress(addr, 9464), registry, meters::sync, auth);
 * ...
 * e.close();
 * }</pre>
 */
final class MetricsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService threads;
    private final PrometheusMeterRegistry registry;
    private final Runnable beforeScrape;
    private final Optional<BasicAuthCheck> auth;
    private final LongAdder scrapes = new LongAdder();
    private final LongAdder refused = new LongAdder();

    private MetricsEndpoint(HttpServer server, ExecutorService threads, PrometheusMeterRegistry registry,
                            Runnable beforeScrape, Optional<BasicAuthCheck> auth) {
        this.server = server;
        this.threads = threads;
        this.registry = registry;
        this.beforeScrape = beforeScrape;
        this.auth = auth;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @param beforeScrape run before each scrape (brings per-policy meters up to date)
     * @throws IOException when the address cannot be bound
     */
    static MetricsEndpoint start(InetSocketAddress address, PrometheusMeterRegistry registry, Runnable beforeScrape,
                                 Optional<BasicAuthCheck> auth) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService threads = Executors.newFixedThreadPool(2,
                Thread.ofPlatform().name("metrics-http-", 0).daemon().factory());
        MetricsEndpoint e = new MetricsEndpoint(server, threads, registry, beforeScrape, auth);
        server.createContext("/", e::handle);
        server.setExecutor(threads);
        server.start();
        LOG.info("start: Prometheus metrics on http://{}/metrics{}", Monitoring.hostPort(e.address()),
                auth.isPresent() ? " (basic authentication)" : "");
        return e;
    }

    /** The bound address (with the real port when 0 was asked for). */
    InetSocketAddress address() {
        InetSocketAddress a = server.getAddress();
        return a;
    }

    /** Scrapes answered. */
    long scrapes() {
        return scrapes.sum();
    }

    /** Requests refused for want of valid credentials. */
    long refused() {
        return refused.sum();
    }

    boolean authenticated() {
        return auth.isPresent();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestURI().getPath().equals("/metrics")) {
                reply(x, 404, "not found: the metrics are at /metrics\n");
                return;
            }
            String method = x.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(x, 405, "method not allowed\n");
                return;
            }
            if (auth.isPresent()) {
                BasicAuthCheck.Result r = auth.get().check(x.getRequestHeaders().getFirst("Authorization"));
                if (r != BasicAuthCheck.Result.OK) {
                    refused.increment();
                    x.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"portcullis\", charset=\"UTF-8\"");
                    reply(x, r == BasicAuthCheck.Result.TOO_MANY_FAILURES ? 429 : 401,
                            r == BasicAuthCheck.Result.TOO_MANY_FAILURES ? "too many failed attempts; wait\n"
                                    : "authentication required\n");
                    return;
                }
            }
            beforeScrape.run();
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (method.equals("HEAD")) {
                x.sendResponseHeaders(200, -1);
            } else {
                x.sendResponseHeaders(200, body.length);
                try (OutputStream out = x.getResponseBody()) {
                    out.write(body);
                }
            }
            scrapes.increment();
        } catch (IOException | RuntimeException e) {
            LOG.warn("handle: {} {} from {}: {}", x.getRequestMethod(), x.getRequestURI(), x.getRemoteAddress(),
                    e.toString());
        }
    }

    private static void reply(HttpExchange x, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    /** Stops serving at once and releases the port. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        LOG.info("close: metrics endpoint on {} closed", Monitoring.hostPort(server.getAddress()));
    }
}
