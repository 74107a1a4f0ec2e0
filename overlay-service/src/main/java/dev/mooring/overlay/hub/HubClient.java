package dev.mooring.overlay.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The two calls the overlay makes to the hub (API v1): its heartbeat and its cluster's peer list.
 * Over HTTPS it trusts the CA file named in the credentials, else the JDK's CAs.
 */
public final class HubClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    record PeerModel(String hostId, String hostname, String role, String overlay, List<String> underlay, String lastSeen) {}

    private final HubCredentials credentials;
    private final HttpClient http;

    public HubClient(HubCredentials credentials) throws HubException {
        this.credentials = credentials;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1);
        if (credentials.ca().isPresent()) {
            b.sslContext(trusting(credentials.ca().get()));
        }
        this.http = b.build();
    }

    /** An SSL context that trusts exactly the certificates in the PEM file. */
    static SSLContext trusting(Path caFile) throws HubException {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new HubException("the hub CA file " + caFile + " holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new HubException("cannot use the hub CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    public HubCredentials credentials() {
        return credentials;
    }

    /** POST /api/v1/hosts/{hostId}/heartbeat. */
    public void heartbeat(List<Ipv4Address> addresses, String status, boolean vipHolder) throws HubException {
        String body;
        try {
            body = MAPPER.writeValueAsString(Map.of("addresses", addresses.stream().map(Ipv4Address::toString).toList(),
                    "status", status, "vipHolder", vipHolder));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a heartbeat is always JSON", e);
        }
        send("POST", "/api/v1/hosts/" + encode(credentials.hostId()) + "/heartbeat", body, 204);
    }

    /** GET /api/v1/clusters/{name}/peers; peers the overlay cannot use (bad addresses) are left out. */
    public List<HubPeer> peers() throws HubException {
        String json = send("GET", "/api/v1/clusters/" + encode(credentials.cluster()) + "/peers", null, 200);
        PeerModel[] models;
        try {
            models = MAPPER.readValue(json, PeerModel[].class);
        } catch (JsonProcessingException e) {
            throw new HubException("the hub's peer list is not what API v1 promises: " + e.getOriginalMessage());
        }
        List<HubPeer> out = new ArrayList<>();
        for (PeerModel m : models) {
            try {
                List<Ipv4Address> underlay = m.underlay() == null ? List.of()
                        : m.underlay().stream().map(Ipv4Address::parse).toList();
                out.add(new HubPeer(m.hostId(), m.hostname() == null ? m.hostId() : m.hostname(), m.role(),
                        Ipv4Address.parse(m.overlay()), underlay,
                        m.lastSeen() == null ? Instant.EPOCH : Instant.parse(m.lastSeen())));
            } catch (InvalidAddressException | DateTimeParseException | NullPointerException e) {
                // One bad entry does not cost the others.
            }
        }
        return out;
    }

    private String send(String method, String path, String body, int expected) throws HubException {
        URI uri = credentials.url().resolve(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + credentials.apiKey());
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new HubException(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(method + " " + uri + " interrupted", e);
        }
        if (r.statusCode() != expected) {
            String message = r.body();
            try {
                var node = MAPPER.readTree(r.body());
                if (node != null && node.has("message")) {
                    message = node.get("message").asText();
                }
            } catch (JsonProcessingException e) {
                // Not the API's JSON: show the body as it is.
            }
            String hint = r.statusCode() == 401 ? "; the API key in " + "credentials.json was refused: register the host again" : "";
            throw new HubException(method + " " + uri + ": " + r.statusCode() + " " + abbreviate(message) + hint);
        }
        return r.body();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
