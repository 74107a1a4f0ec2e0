package dev.mooring.overlay.hub;

import dev.mooring.overlay.hub.JsonFields.Kind;
import dev.mooring.overlay.hub.JsonFields.Problem;
import dev.mooring.overlay.hub.JsonFields.Value;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What first boot wrote after registering with the hub (docs/contracts.md,
 * {@code /var/lib/mooring/hub/credentials.json}). {@code toString} leaves the API key out, so the
 * record can be logged.
 */
public record HubCredentials(URI url, String cluster, String hostId, String apiKey, Optional<Path> ca) {

    public static final int VERSION = 1;

    private static final Map<String, Kind> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("version", Kind.WHOLE_NUMBER);
        for (String text : new String[] {"url", "cluster", "hostId", "apiKey", "ca"}) {
            FIELDS.put(text, Kind.TEXT);
        }
    }

    private static final String REGISTER_AGAIN = "register the host again (mooring firstboot run) to rewrite it";

    /**
     * Reads and checks the file; the message of the exception names the file (with line and
     * column where there is one), what is wrong and what to do. Read with Jackson's streaming
     * parser (see {@link JsonFields}): a hub-managed overlay reads it while it starts.
     */
    public static HubCredentials load(Path file) throws HubException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HubException(file + " does not exist: this host has not registered with the hub yet"
                    + " (mooring firstboot run writes it); the overlay runs without the hub meanwhile");
        } catch (IOException e) {
            throw new HubException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, Value> m;
        try {
            m = JsonFields.parse(bytes, p -> JsonFields.object(p, "the credentials", FIELDS));
        } catch (Problem e) {
            throw new HubException(e.where(file) + ": not valid hub credentials (" + e.getMessage() + "); " + REGISTER_AGAIN);
        }
        Value version = m.get("version");
        if (version == null || version.value() == null) {
            throw new HubException(file + ": the field version is missing; this mooring reads version " + VERSION
                    + " credentials; " + REGISTER_AGAIN);
        }
        if (version.number() != VERSION) {
            throw new HubException(where(file, version) + ": version " + version.number() + " is not " + VERSION
                    + "; this mooring reads version " + VERSION + " credentials");
        }
        for (String field : new String[] {"url", "cluster", "hostId", "apiKey"}) {
            Value v = m.get(field);
            if (v == null || v.value() == null) {
                throw new HubException(file + ": the field " + field + " is missing; register the host again");
            }
            if (v.text().isBlank()) {
                throw new HubException(where(file, v) + ": the field " + field + " is empty; register the host again");
            }
        }
        Value urlField = m.get("url");
        String urlText = urlField.text();
        URI url;
        try {
            url = new URI(urlText);
        } catch (URISyntaxException e) {
            throw new HubException(where(file, urlField) + ": url '" + urlText + "' is not a URL (" + e.getReason() + ")");
        }
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme()) || url.getHost() == null) {
            throw new HubException(where(file, urlField) + ": url '" + urlText + "' is not an http(s) URL with a host");
        }
        String ca = m.containsKey("ca") ? m.get("ca").text() : null;
        return new HubCredentials(url, m.get("cluster").text(), m.get("hostId").text(), m.get("apiKey").text(),
                ca == null || ca.isBlank() ? Optional.empty() : Optional.of(Path.of(ca)));
    }

    private static String where(Path file, Value v) {
        return JsonFields.where(file, v.at());
    }

    @Override
    public String toString() {
        return "HubCredentials[url=" + url + ", cluster=" + cluster + ", hostId=" + hostId + ", apiKey=(hidden)"
                + ca.map(p -> ", ca=" + p).orElse("") + "]";
    }
}
