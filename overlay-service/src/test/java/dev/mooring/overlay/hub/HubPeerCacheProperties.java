package dev.mooring.overlay.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.testing.AwkwardText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * hub-peers.json is read and written with Jackson's streaming API now, no ObjectMapper. On random
 * peer lists (host ids with quotes, backslashes, control characters and non-ASCII text, null
 * roles and names) the file is byte for byte what the mapper wrote and reads back as written; on
 * random damage (cut short, a field of another kind, removed or unknown, a peer that is not an
 * object, not a list, something after it) the new reader gives what the mapper's reader gave
 * (the peers, or nothing and a line in the log), except where the mapper coerced a number or
 * true/false into a text, took the last of a repeated field or ignored what follows the list:
 * such a file the new reader ignores as well.
 */
class HubPeerCacheProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    static LongStream seeds() {
        return LongStream.range(0, 600);
    }

    record Entry(String hostId, String hostname, String role, String overlay, List<String> underlay, String lastSeen) {}

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void writesWhatTheMapperWroteAndReadsAsItDid(long seed) throws Exception {
        Random r = new Random(seed);
        List<HubPeer> peers = randomPeers(r);
        Path file = dir.resolve("state/hub-peers.json");
        List<String> log = new ArrayList<>();

        HubPeerCache.write(file, peers, log::add);

        assertThat(log).isEmpty();
        assertThat(Files.readAllBytes(file)).isEqualTo(mapperWrote(peers));
        assertThat(HubPeerCache.read(file, log::add)).contains(peers);
        assertThat(log).isEmpty();

        String json = Files.readString(file);
        boolean[] coerced = {false};
        String damaged = damage(r, json, coerced);
        Files.writeString(file, damaged);
        List<String> oldLog = new ArrayList<>();
        Optional<List<HubPeer>> old = oldRead(file, oldLog::add);
        Optional<List<HubPeer>> ours = HubPeerCache.read(file, log::add);
        if (coerced[0] && old.isPresent()) {
            assertThat(ours).as("reading\n%s", damaged).isEmpty();
        } else {
            assertThat(ours).as("reading\n%s", damaged).isEqualTo(old);
        }
        assertThat(log).as("reading\n%s", damaged).hasSize(ours.isPresent() ? 0 : 1);
        for (String line : log) {
            assertThat(line).startsWith("hub: ignoring the saved peer list " + file).endsWith("; the hub's next answer replaces it");
            if (!line.contains("the file is empty")) {
                assertThat(line).as("reading\n%s", damaged).matches("(?s).*hub-peers\\.json:\\d+:\\d+ \\(.*");
            }
        }
    }

    private static byte[] mapperWrote(List<HubPeer> peers) throws IOException {
        return MAPPER.writeValueAsBytes(peers.stream().map(p -> new Entry(p.hostId(), p.hostname(), p.role(), p.overlay().toString(),
                p.underlay().stream().map(Ipv4Address::toString).toList(), p.lastSeen().toString())).toList());
    }

    /** HubPeerCache.read as it was, with ObjectMapper.readValue onto a list of records. */
    private static Optional<List<HubPeer>> oldRead(Path file, Consumer<String> log) {
        try {
            List<Entry> entries = MAPPER.readValue(file.toFile(), new TypeReference<List<Entry>>() {});
            return Optional.of(entries.stream().map(e -> new HubPeer(e.hostId(), e.hostname(), e.role(),
                    Ipv4Address.parse(e.overlay()), e.underlay().stream().map(Ipv4Address::parse).toList(),
                    Instant.parse(e.lastSeen()))).toList());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            if (Files.exists(file)) {
                log.accept("hub: ignoring the saved peer list " + file + " (" + e.getMessage() + ")");
            }
            return Optional.empty();
        }
    }

    private static final List<String> FIELDS = List.of("hostId", "hostname", "role", "overlay", "underlay", "lastSeen");
    private static final List<String> VALUES = List.of("1", "-1", "1.5", "true", "null", "[]", "{}", "[1]", "[\"198.51.100.9\"]",
            "[null]", "[\"x\"]", "\"198.51.100.9\"", "\"100.64.0.300\"", "\"x\"", "\"\"", "\"2026-11-27T03:00:00Z\"",
            "\"2026-13-27T03:00:00Z\"", "99999999999999999999");

    /** One kind of damage, or none; {@code coerced[0]} says whether the mapper would have coerced a value into a text. */
    private static String damage(Random r, String json, boolean[] coerced) throws IOException {
        ArrayNode list = (ArrayNode) MAPPER.readTree(json);
        String field = FIELDS.get(r.nextInt(FIELDS.size()));
        int kind = r.nextInt(10);
        if (list.isEmpty() && kind >= 2 && kind <= 5) {
            list.add(MAPPER.readTree("{\"hostId\":\"h\",\"hostname\":null,\"role\":null,\"overlay\":\"100.64.0.2\",\"underlay\":[],"
                    + "\"lastSeen\":\"2026-11-27T03:00:00Z\"}"));
        }
        ObjectNode peer = list.isEmpty() ? null : (ObjectNode) list.get(r.nextInt(list.size()));
        return switch (kind) {
            case 0 -> json;
            case 1 -> json.substring(0, r.nextInt(json.length()));
            case 2, 3 -> {
                JsonNode value = MAPPER.readTree(VALUES.get(r.nextInt(VALUES.size())));
                peer.set(field, value);
                coerced[0] = !field.equals("underlay") && (value.isNumber() || value.isBoolean())
                        || field.equals("underlay") && value.isArray() && value.size() > 0 && (value.get(0).isNumber() || value.get(0).isBoolean());
                yield MAPPER.writeValueAsString(list);
            }
            case 4 -> {
                peer.remove(field);
                yield MAPPER.writeValueAsString(list);
            }
            case 5 -> {
                peer.put(r.nextBoolean() ? "address" : "HostId", "x");
                yield MAPPER.writeValueAsString(list);
            }
            case 6 -> {
                list.insert(r.nextInt(list.size() + 1), MAPPER.readTree(VALUES.get(r.nextInt(VALUES.size()))));
                yield MAPPER.writeValueAsString(list);
            }
            case 7 -> {
                coerced[0] = true;
                yield json + List.of("[]", "x", "]", "1", "{").get(r.nextInt(5));
            }
            case 8 -> {
                coerced[0] = json.contains("{\"hostId\":"); // the mapper took the last of a repeated field
                yield json.replaceFirst("\\{\"hostId\":", "{\"hostId\":\"dup\",\"hostId\":");
            }
            default -> VALUES.get(r.nextInt(VALUES.size()));
        };
    }

    private static List<HubPeer> randomPeers(Random r) {
        List<HubPeer> peers = new ArrayList<>();
        for (int n = r.nextInt(5); n > 0; n--) {
            String host = text(r);
            List<Ipv4Address> underlay = new ArrayList<>();
            for (int u = r.nextInt(4); u > 0; u--) {
                underlay.add(Ipv4Address.parse((r.nextBoolean() ? "198.51.100." : "203.0.113.") + (1 + r.nextInt(254))));
            }
            peers.add(new HubPeer(host, r.nextInt(4) == 0 ? null : r.nextBoolean() ? host : text(r),
                    r.nextInt(5) == 0 ? null : List.of("worker", "control-plane", "x\"y").get(r.nextInt(3)),
                    Ipv4Address.parse("100.64." + r.nextInt(256) + "." + (1 + r.nextInt(254))), underlay,
                    Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(3) == 0 ? r.nextInt(1_000_000_000) : 0)));
        }
        return peers;
    }

    private static String text(Random r) {
        return AwkwardText.of(r, "h", r.nextInt(12));
    }
}
