package dev.mooring.firstboot.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The hub API v1 calls first boot makes (docs/contracts.md), over java.net.http. */
public final class HubClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param caPem the hub's CA certificates (PEM) to trust instead of the runtime's, when given
     */
    public HubClient(URI base, String token, Optional<String> caPem, Duration requestTimeout) throws HubException {
        this.base = base;
        this.token = token;
        this.requestTimeout = requestTimeout;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(requestTimeout).followRedirects(HttpClient.Redirect.NEVER);
        if (caPem.isPresent()) {
            builder.sslContext(trusting(caPem.get()));
        }
        this.http = builder.build();
    }

    /** {@code POST /api/v1/register}: 201 new, 200 known machine id; anything else a {@link HubException}. */
    public HubAnswer register(RegistrationRequest request) throws HubException {
        ObjectNode body = JSON.createObjectNode()
                .put("machineId", request.machineId())
                .put("hostname", request.hostname())
                .put("role", request.role());
        request.addresses().forEach(body.putArray("addresses")::add);
        body.put("version", request.version());
        request.overlayAddress().ifPresent(a -> body.put("overlayAddress", a));
        URI uri = base.resolve("/api/v1/register");
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(requestTimeout)
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new HubException(OptionalInt.empty(), true, "POST " + uri + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(OptionalInt.empty(), false, "interrupted while registering");
        }
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            try {
                JsonNode a = JSON.readTree(response.body());
                JsonNode c = a.path("cluster");
                HubAnswer.HubCluster cluster = new HubAnswer.HubCluster(text(c, "name"), text(c, "cidr"), text(c, "vip"),
                        c.path("vni").asInt(), c.path("port").asInt(), text(c, "key"));
                return new HubAnswer(text(a, "hostId"), text(a, "apiKey"), cluster, text(a, "address"), status == 201);
            } catch (IOException | IllegalArgumentException e) {
                throw new HubException(OptionalInt.of(status), true, "the hub's answer is not what API v1 describes: " + e.getMessage());
            }
        }
        String message = errorMessage(response.body());
        boolean retryable = status >= 500 || status == 429 || status == 408;
        throw new HubException(OptionalInt.of(status), retryable, "POST " + uri + " answered " + status + (message.isEmpty() ? "" : ": " + message));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return value.asText();
    }

    private static String errorMessage(String body) {
        try {
            JsonNode error = JSON.readTree(body);
            return error == null ? "" : (error.path("error").asText("") + " " + error.path("message").asText("")).strip();
        } catch (IOException e) {
            return body.length() > 200 ? body.substring(0, 200) : body.strip();
        }
    }

    private static SSLContext trusting(String pem) throws HubException {
        try {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certificates.isEmpty()) {
                throw new HubException(OptionalInt.empty(), false, "mooring.registration.ca holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("hub-ca-" + i++, c);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new HubException(OptionalInt.empty(), false, "mooring.registration.ca is not a PEM certificate: " + e.getMessage());
        }
    }
}
