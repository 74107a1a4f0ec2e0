package dev.mooring.overlay.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.hub.JsonFields.Kind;
import dev.mooring.overlay.hub.JsonFields.Problem;
import dev.mooring.overlay.hub.JsonFields.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The two calls the overlay makes to the hub (API v1): its heartbeat and its cluster's peer list.
 * Over HTTPS it trusts the CA file named in the credentials, else the JDK's CAs.
 *
 * <p>It speaks through {@link HttpURLConnection} (java.base, persistent connections), not
 * java.net.http: a heartbeat every few seconds needs no asynchronous client, and that one's
 * selector thread and ~220 classes cost the idle hub-managed service several MiB of RSS.
 *
 * <p>JSON is written with Jackson's generator and read with its streaming parser ({@link
 * JsonFields}), not an ObjectMapper: a hub-managed overlay runs this every heartbeat while idle,
 * and databind's ~480 classes cost it ~8 MB of RSS. Answers are read as the mapper read them
 * (unknown fields ignored, so a newer hub may add some); {@code HubClientProperties} compares.
 */
public final class HubClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Map<String, Kind> PEER_FIELDS = new LinkedHashMap<>();

    static {
        for (String text : new String[] {"hostId", "hostname", "role", "overlay"}) {
            PEER_FIELDS.put(text, Kind.TEXT);
        }
        PEER_FIELDS.put("underlay", Kind.TEXTS);
        PEER_FIELDS.put("lastSeen", Kind.TEXT);
    }

    private final HubCredentials credentials;
    /** The CA file's trust, when one is named; else HTTPS uses the JDK's CAs. */
    private final Optional<SSLSocketFactory> tls;

    public HubClient(HubCredentials credentials) throws HubException {
        this.credentials = credentials;
        this.tls = credentials.ca().isPresent()
                ? Optional.of(trusting(credentials.ca().get()).getSocketFactory())
                : Optional.empty();
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
        send("POST", "/api/v1/hosts/" + encode(credentials.hostId()) + "/heartbeat", heartbeatBody(addresses, status, vipHolder), 204);
    }

    /**
     * {@code {"addresses":[...],"status":"...","vipHolder":false}}, compact, in the contract's
     * order, escaped as the mapper escaped it (written to a String as the mapper did; the request
     * encodes it as UTF-8).
     */
    static String heartbeatBody(List<Ipv4Address> addresses, String status, boolean vipHolder) {
        Objects.requireNonNull(status, "status"); // the mapper's Map.of refused a null status too
        StringWriter out = new StringWriter(64 + 18 * addresses.size());
        try (JsonGenerator g = JsonFields.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("addresses");
            for (Ipv4Address a : addresses) {
                g.writeString(a.toString());
            }
            g.writeEndArray();
            g.writeStringField("status", status);
            g.writeBooleanField("vipHolder", vipHolder);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("a heartbeat is always JSON", e); // a StringWriter does no I/O
        }
        return out.toString();
    }

    /** GET /api/v1/clusters/{name}/peers; peers the overlay cannot use (bad addresses) are left out. */
    public List<HubPeer> peers() throws HubException {
        return peers(send("GET", "/api/v1/clusters/" + encode(credentials.cluster()) + "/peers", null, 200));
    }

    /**
     * The peer list in the hub's answer. An answer that is not a list of peers fails whole; an
     * entry that is null, has no usable overlay address, a bad underlay address or a bad time is
     * left out (one bad entry does not cost the others). A missing hostname is the host id, a
     * missing time the epoch, a missing underlay none.
     */
    static List<HubPeer> peers(String json) throws HubException {
        List<Map<String, Value>> entries;
        try {
            entries = JsonFields.parseAnswer(json, p -> JsonFields.list(p, "a list of peers",
                    e -> e.currentToken() == JsonToken.VALUE_NULL ? null : JsonFields.answerObject(e, "a peer", PEER_FIELDS)));
        } catch (Problem e) {
            throw new HubException("the hub's peer list is not what API v1 promises: " + e.getMessage() + e.at());
        }
        List<HubPeer> out = new ArrayList<>();
        for (Map<String, Value> m : entries) {
            if (m == null) {
                continue;
            }
            try {
                List<String> underlay = value(m, "underlay") == null ? null : m.get("underlay").texts();
                String hostId = text(m, "hostId");
                String hostname = text(m, "hostname");
                String lastSeen = text(m, "lastSeen");
                out.add(new HubPeer(hostId, hostname == null ? hostId : hostname, text(m, "role"),
                        Ipv4Address.parse(text(m, "overlay")),
                        underlay == null ? List.of() : underlay.stream().map(Ipv4Address::parse).toList(),
                        lastSeen == null ? Instant.EPOCH : Instant.parse(lastSeen)));
            } catch (InvalidAddressException | DateTimeParseException e) {
                // One bad entry does not cost the others.
            }
        }
        return out;
    }

    private static Object value(Map<String, Value> m, String field) {
        Value v = m.get(field);
        return v == null ? null : v.value();
    }

    private static String text(Map<String, Value> m, String field) {
        return (String) value(m, field);
    }

    /**
     * What to show of an error answer: its {@code message} (the API's {@code {"error","message"}};
     * a number or true/false as text, null as "null", an object or list as ""), else the body as
     * it is (not JSON, not an object, no message).
     */
    static String errorMessage(String body) {
        String message;
        try {
            message = JsonFields.parseAnswer(body, p -> {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    return null;
                }
                String found = null;
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    p.nextToken();
                    if (name.equals("message")) {
                        found = JsonFields.scalarAsTreeText(p); // the last of a repeated one counts
                    } else {
                        p.skipChildren();
                    }
                }
                return found;
            });
        } catch (Problem e) {
            return body; // not the API's JSON: show the body as it is
        }
        return message == null ? body : message;
    }

    private String send(String method, String path, String body, int expected) throws HubException {
        URI uri = credentials.url().resolve(path);
        int status;
        String answer;
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection();
            if (c instanceof HttpsURLConnection https && tls.isPresent()) {
                https.setSSLSocketFactory(tls.get());
            }
            c.setConnectTimeout((int) TIMEOUT.toMillis());
            c.setReadTimeout((int) TIMEOUT.toMillis());
            c.setUseCaches(false);
            c.setInstanceFollowRedirects(false);
            c.setRequestMethod(method);
            c.setRequestProperty("Authorization", "Bearer " + credentials.apiKey());
            if (body != null) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                c.setRequestProperty("Content-Type", "application/json");
                // Buffered, not streamed: a 401 with a challenge is then an answer, not an HttpRetryException.
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(bytes);
                }
            }
            status = c.getResponseCode();
            // Read to the end either way, so the connection goes back to the keep-alive cache.
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            try (in) {
                answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            if (c != null) {
                c.disconnect();
            }
            throw new HubException(method + " " + uri + " failed: " + e, e);
        }
        if (status != expected) {
            String message = errorMessage(answer);
            String hint = status == 401 ? "; the API key in " + "credentials.json was refused: register the host again" : "";
            throw new HubException(method + " " + uri + ": " + status + " " + abbreviate(message) + hint);
        }
        return answer;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
