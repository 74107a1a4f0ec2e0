package dev.mooring.firstboot.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hub that speaks the registration part of API v1 (docs/contracts.md) on 127.0.0.1: known
 * machine ids keep host id and address and get a new API key; the first {@code failFirst}
 * requests are answered 503. Records every request body.
 */
public final class TestHub implements AutoCloseable {

    public static final String TOKEN = "K10-test-token";
    public static final String KEY = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final AtomicInteger failFirst;
    private final Map<String, String[]> hosts = new HashMap<>();
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private int keys;

    public TestHub(int failFirst) throws IOException {
        this.failFirst = new AtomicInteger(failFirst);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/register", this::register);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    private synchronized void register(HttpExchange x) throws IOException {
        try (x) {
            JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
            requests.add(body);
            if (failFirst.getAndDecrement() > 0) {
                send(x, 503, "{\"error\":\"unavailable\",\"message\":\"starting\"}");
                return;
            }
            if (!("Bearer " + TOKEN).equals(x.getRequestHeaders().getFirst("Authorization"))) {
                send(x, 401, "{\"error\":\"unauthorized\",\"message\":\"unknown registration token\"}");
                return;
            }
            String machine = body.path("machineId").asText();
            boolean known = hosts.containsKey(machine);
            String[] host = hosts.computeIfAbsent(machine, m -> new String[] {"h-" + (hosts.size() + 1),
                    body.hasNonNull("overlayAddress") ? body.get("overlayAddress").asText() : "100.64.192." + (20 + hosts.size())});
            String apiKey = "mk_" + (++keys);
            send(x, known ? 200 : 201, JSON.createObjectNode().put("hostId", host[0]).put("apiKey", apiKey)
                    .put("address", host[1]).set("cluster", JSON.createObjectNode().put("name", "store-0042").put("cidr", "100.64.192.0/23")
                            .put("vip", "100.64.192.1").put("vni", 4242).put("port", 4789).put("key", KEY)).toString());
        }
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
