package dev.mooring.overlay.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.hub.JsonFields.Kind;
import dev.mooring.overlay.hub.JsonFields.Problem;
import dev.mooring.overlay.hub.JsonFields.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The hub's last peer list in the state directory, so a service restarted while the hub is down
 * still forwards to the hosts only the hub named. Written whole (temporary file, fsync, rename);
 * a file that cannot be read is ignored (the next answer of the hub rewrites it).
 *
 * <p>Read and written with Jackson's streaming parser and generator, not an ObjectMapper: the
 * service reads it before it is READY. The file is as the mapper wrote it, a compact JSON list of
 * {@code {"hostId","hostname","role","overlay","underlay":[...],"lastSeen"}} ({@code HubPeerCacheProperties}
 * compares them).
 */
final class HubPeerCache {

    private static final Map<String, Kind> FIELDS = new LinkedHashMap<>();

    static {
        for (String text : new String[] {"hostId", "hostname", "role", "overlay"}) {
            FIELDS.put(text, Kind.TEXT);
        }
        FIELDS.put("underlay", Kind.TEXTS);
        FIELDS.put("lastSeen", Kind.TEXT);
    }

    private HubPeerCache() {}

    static Optional<List<HubPeer>> read(Path file, Consumer<String> log) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (Files.exists(file)) {
                log.accept("hub: ignoring the saved peer list " + file + " (" + e.getMessage() + "); the hub's next answer replaces it");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(JsonFields.parse(bytes, p -> JsonFields.list(p, "a list of peers", e -> {
                JsonLocation at = e.currentTokenLocation();
                return peer(JsonFields.object(e, "a peer", FIELDS), at);
            })));
        } catch (Problem e) {
            log.accept("hub: ignoring the saved peer list " + e.where(file) + " (" + e.getMessage() + "); the hub's next answer replaces it");
            return Optional.empty();
        }
    }

    /** hostId, hostname and role may be null as the hub left them; the addresses and time may not. */
    private static HubPeer peer(Map<String, Value> m, JsonLocation at) throws Problem {
        List<String> underlay = required(m, "underlay", at).texts();
        List<Ipv4Address> addresses = new ArrayList<>(underlay.size());
        for (String a : underlay) {
            addresses.add(converted(m.get("underlay"), "underlay", Ipv4Address::parse, a));
        }
        Value overlay = required(m, "overlay", at);
        Value lastSeen = required(m, "lastSeen", at);
        return new HubPeer(text(m, "hostId"), text(m, "hostname"), text(m, "role"),
                converted(overlay, "overlay", Ipv4Address::parse, overlay.text()), addresses,
                converted(lastSeen, "lastSeen", Instant::parse, lastSeen.text()));
    }

    private static Value required(Map<String, Value> m, String field, JsonLocation at) throws Problem {
        Value v = m.get(field);
        if (v == null || v.value() == null) {
            throw new Problem("the peer has no " + field, at);
        }
        return v;
    }

    private static String text(Map<String, Value> m, String field) {
        Value v = m.get(field);
        return v == null ? null : v.text();
    }

    private static <T> T converted(Value v, String field, Function<String, T> parse, String text) throws Problem {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException | DateTimeParseException e) { // InvalidAddressException included
            throw new Problem("field '" + field + "': " + e.getMessage(), v.at());
        }
    }

    static void write(Path file, List<HubPeer> peers, Consumer<String> log) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.write(temp, json(peers));
            try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.accept("hub: cannot save the peer list to " + file + ": " + e.getMessage());
        }
    }

    /** The file's bytes: what the mapper wrote for a list of records with these components, in this order. */
    static byte[] json(List<HubPeer> peers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 160 * peers.size());
        try (JsonGenerator g = JsonFields.JSON.createGenerator(out)) {
            g.writeStartArray();
            for (HubPeer p : peers) {
                g.writeStartObject();
                g.writeStringField("hostId", p.hostId());
                g.writeStringField("hostname", p.hostname());
                g.writeStringField("role", p.role());
                g.writeStringField("overlay", p.overlay().toString());
                g.writeArrayFieldStart("underlay");
                for (Ipv4Address a : p.underlay()) {
                    g.writeString(a.toString());
                }
                g.writeEndArray();
                g.writeStringField("lastSeen", p.lastSeen().toString());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array does no I/O
        }
        return out.toByteArray();
    }
}
