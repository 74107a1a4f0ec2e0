package dev.mooring.hub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for tests: any method, path, secret and raw body; the answer as status and JSON. */
public final class HubClient {

    public record Reply(int status, String body) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        public String field(String name) {
            JsonNode n = json().get(name);
            if (n == null) {
                throw new AssertionError("no field " + name + " in " + body);
            }
            return n.asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http;
    private final String base;

    public HubClient(String base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    public HubClient(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    public Reply call(String method, String path, String secret, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (secret != null) {
            b.header("Authorization", "Bearer " + secret);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Reply get(String path, String secret) {
        return call("GET", path, secret, null);
    }

    public Reply post(String path, String secret, String body) {
        return call("POST", path, secret, body);
    }

    public Reply delete(String path, String secret) {
        return call("DELETE", path, secret, null);
    }
}
