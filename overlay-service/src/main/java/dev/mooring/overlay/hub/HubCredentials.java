package dev.mooring.overlay.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What first boot wrote after registering with the hub (docs/contracts.md,
 * {@code /var/lib/mooring/hub/credentials.json}). {@code toString} leaves the API key out, so the
 * record can be logged.
 */
public record HubCredentials(URI url, String cluster, String hostId, String apiKey, Optional<Path> ca) {

    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    record FileModel(Integer version, String url, String cluster, String hostId, String apiKey, String ca) {}

    /** Reads and checks the file; the message of the exception names the file and what to do. */
    public static HubCredentials load(Path file) throws HubException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new HubException(file + " does not exist: this host has not registered with the hub yet"
                    + " (mooring firstboot run writes it); the overlay runs without the hub meanwhile");
        } catch (IOException e) {
            throw new HubException("cannot read " + file + ": " + e.getMessage());
        }
        FileModel m;
        try {
            m = MAPPER.readValue(text, FileModel.class);
        } catch (JsonProcessingException e) {
            throw new HubException(file + ": not valid hub credentials (" + e.getOriginalMessage() + "); register the host"
                    + " again (mooring firstboot run) to rewrite it");
        }
        if (m == null || m.version() == null || m.version() != VERSION) {
            throw new HubException(file + ": version " + (m == null ? null : m.version()) + " is not " + VERSION
                    + "; this mooring reads version " + VERSION + " credentials");
        }
        for (String[] field : new String[][] {{"url", m.url()}, {"cluster", m.cluster()}, {"hostId", m.hostId()},
                {"apiKey", m.apiKey()}}) {
            if (field[1] == null || field[1].isBlank()) {
                throw new HubException(file + ": the field " + field[0] + " is missing; register the host again");
            }
        }
        URI url;
        try {
            url = new URI(m.url());
        } catch (URISyntaxException e) {
            throw new HubException(file + ": url '" + m.url() + "' is not a URL (" + e.getReason() + ")");
        }
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme()) || url.getHost() == null) {
            throw new HubException(file + ": url '" + m.url() + "' is not an http(s) URL with a host");
        }
        return new HubCredentials(url, m.cluster(), m.hostId(), m.apiKey(),
                m.ca() == null || m.ca().isBlank() ? Optional.empty() : Optional.of(Path.of(m.ca())));
    }

    @Override
    public String toString() {
        return "HubCredentials[url=" + url + ", cluster=" + cluster + ", hostId=" + hostId + ", apiKey=(hidden)"
                + ca.map(p -> ", ca=" + p).orElse("") + "]";
    }
}
