package dev.mooring.overlay.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves {@code GET /metrics} in the Prometheus text format on a loopback address, with the JDK's
 * own HTTP server ({@code jdk.httpserver}) and one daemon thread. Any other path is 404, any other
 * method 405. The page is rendered anew for every request, so a scrape always sees the current
 * figures.
 */
public final class MetricsServer implements AutoCloseable {

    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on {@code listen} (port 0 picks a free one: see {@link #address()}).
     *
     * @param page renders the metrics page; called on the server's thread for every scrape
     * @throws IOException when the address cannot be bound (e.g. the port is taken)
     */
    public static MetricsServer start(InetSocketAddress listen, Supplier<String> page) throws IOException {
        Objects.requireNonNull(page, "page");
        if (!listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("listen: the metrics endpoint has no authentication and listens on loopback only, got " + listen);
        }
        HttpServer server;
        try {
            server = HttpServer.create(listen, 0);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + listen.getAddress().getHostAddress() + ":" + listen.getPort()
                    + " for metrics: " + e.getMessage() + "; pick a free port in metrics: (overlay.yaml) or write metrics: off", e);
        }
        server.createContext("/", exchange -> scrape(exchange, page));
        ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("mooring-metrics").factory());
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor);
    }

    /** The address actually bound. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://127.0.0.1:9647/metrics}. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void scrape(HttpExchange exchange, Supplier<String> page) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!method.equals("GET") && !head) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "only GET " + PATH + "\n", false);
            } else if (!exchange.getRequestURI().getPath().equals(PATH)) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found; the metrics are at " + PATH + "\n", false);
            } else {
                reply(exchange, 200, PrometheusText.CONTENT_TYPE, page.get(), head);
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body, boolean headOnly) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (headOnly) {
            // A HEAD reply names the length a GET would have and carries no body (-1: none follows).
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
