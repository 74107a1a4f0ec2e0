package dev.mooring.overlay.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.testing.AwkwardText;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hub client writes and reads JSON with Jackson's streaming API now, no ObjectMapper. The
 * old code is kept here and compared on random input:
 * <ul>
 * <li>the heartbeat body is the text the mapper wrote for the same three fields in the contract's
 * order (awkward status texts included), and the same JSON as the old {@code Map.of} body, whose
 * field order changed from one JVM to the next;
 * <li>a peer list answer (as a hub writes it, with fields a newer hub might add, or damaged: cut
 * short, a field of another kind, removed, repeated or unknown, an odd entry, not a list, something
 * after it) gives the same peers as the mapper read, or fails where the mapper failed;
 * <li>an error answer shows the same message as the mapper's tree gave, or the body as it is.
 * </ul>
 */
class HubClientProperties {

    /** The old client's mapper: unknown fields in the hub's answers were ignored. */
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static LongStream seeds() {
        return LongStream.range(0, 800);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void heartbeatBodyIsWhatTheMapperWrote(long seed) throws Exception {
        Random r = new Random(seed);
        List<Ipv4Address> addresses = new ArrayList<>();
        for (int n = r.nextInt(5); n > 0; n--) {
            addresses.add(Ipv4Address.parse((r.nextBoolean() ? "198.51.100." : "203.0.113.") + r.nextInt(256)));
        }
        String status = switch (r.nextInt(4)) {
            case 0 -> "ready";
            case 1 -> "starting";
            case 2 -> AwkwardText.of(r, "s", r.nextInt(12)) + (r.nextInt(4) == 0 ? "\ud800" : ""); // a lone surrogate too
            default -> "";
        };
        boolean vipHolder = r.nextBoolean();

        String ours = HubClient.heartbeatBody(addresses, status, vipHolder);

        Map<String, Object> inContractOrder = new LinkedHashMap<>();
        inContractOrder.put("addresses", addresses.stream().map(Ipv4Address::toString).toList());
        inContractOrder.put("status", status);
        inContractOrder.put("vipHolder", vipHolder);
        assertThat(ours).isEqualTo(MAPPER.writeValueAsString(inContractOrder));
        String old = MAPPER.writeValueAsString(Map.of("addresses", addresses.stream().map(Ipv4Address::toString).toList(),
                "status", status, "vipHolder", vipHolder));
        assertThat(MAPPER.readTree(ours)).isEqualTo(MAPPER.readTree(old));
        assertThat(ours).startsWith("{\"addresses\":[");
    }

    @Test
    void heartbeatRefusesANullStatusAsTheMapperCodeDid() {
        assertThatThrownBy(() -> HubClient.heartbeatBody(List.of(), null, false)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void peersAreReadAsTheMapperReadThem(long seed) throws Exception {
        Random r = new Random(seed);
        ArrayNode answer = randomAnswer(r);
        String json = damage(r, answer);

        String old = oldPeers(json);
        String ours;
        try {
            ours = "peers " + HubClient.peers(json);
        } catch (HubException e) {
            assertThat(e.getMessage()).startsWith("the hub's peer list is not what API v1 promises: ");
            ours = "failed";
        }
        if (old.equals("null pointer")) {
            // The mapper gave null for the answer null and the old loop failed on it; now it is refused as not a list.
            assertThat(ours).as("reading\n%s", json).isEqualTo("failed");
        } else {
            assertThat(ours).as("reading\n%s", json).isEqualTo(old);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void errorMessagesAreWhatTheMappersTreeGave(long seed) throws Exception {
        Random r = new Random(seed);
        // Raw JSON text, not through the mapper, so numbers stay as written (1e2, -0, 1E400).
        StringBuilder json = new StringBuilder("{\"error\":\"" + List.of("bad_request", "unauthorized", "conflict").get(r.nextInt(3)) + "\"");
        if (r.nextInt(6) > 0) {
            json.append(",\"message\":").append(r.nextBoolean() ? MAPPER.writeValueAsString(AwkwardText.of(r, "m", r.nextInt(20)))
                    : VALUES.get(r.nextInt(VALUES.size())));
        }
        if (r.nextBoolean()) {
            json.append(",\"details\":").append(VALUES.get(r.nextInt(VALUES.size())));
        }
        json.append('}');
        String body = switch (r.nextInt(9)) {
            case 0 -> json.substring(0, r.nextInt(json.length()));
            case 1 -> json + List.of("x", "}", "{", "[1,", " {\"message\":\"second\"}").get(r.nextInt(5));
            case 2 -> json.toString().replaceFirst("\\{", "{\"message\":\"first\",");
            case 3 -> VALUES.get(r.nextInt(VALUES.size()));
            case 4 -> List.of("", "Bad Gateway", "<html><body>502</body></html>", "  ", "{\"message\":}").get(r.nextInt(5));
            case 5 -> json.toString().replace(",", ",\n  ");
            default -> json.toString();
        };
        assertThat(HubClient.errorMessage(body)).as("body\n%s", body).isEqualTo(oldErrorMessage(body));
    }

    @Test
    void aNewerHubsExtraFieldsDoNotMatter() throws Exception {
        String json = "[{\"hostId\":\"h2\",\"zone\":{\"name\":\"a\",\"tags\":[1,{\"x\":[]}]},\"hostname\":\"h2\",\"role\":\"worker\","
                + "\"overlay\":\"100.64.0.3\",\"underlay\":[\"198.51.100.12\"],\"lastSeen\":\"2026-11-27T03:00:00Z\",\"mtu\":1450}]";
        assertThat(HubClient.peers(json)).containsExactly(new HubPeer("h2", "h2", "worker", Ipv4Address.parse("100.64.0.3"),
                List.of(Ipv4Address.parse("198.51.100.12")), Instant.parse("2026-11-27T03:00:00Z")));
        assertThat("peers " + HubClient.peers(json)).isEqualTo(oldPeers(json));
    }

    @Test
    void theApisErrorBodyGivesItsMessage() {
        assertThat(HubClient.errorMessage("{\"error\":\"unauthorized\",\"message\":\"the API key is not valid\"}"))
                .isEqualTo("the API key is not valid");
        assertThat(HubClient.errorMessage("502 Bad Gateway")).isEqualTo("502 Bad Gateway");
    }

    record PeerModel(String hostId, String hostname, String role, String overlay, List<String> underlay, String lastSeen) {}

    /** HubClient.peers as it was, with ObjectMapper.readValue onto an array of records. */
    private static String oldPeers(String json) {
        PeerModel[] models;
        try {
            models = MAPPER.readValue(json, PeerModel[].class);
        } catch (JsonProcessingException e) {
            return "failed";
        }
        if (models == null) {
            return "null pointer";
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
        return "peers " + out;
    }

    /** The message part of the old HubClient.send's error, with MAPPER.readTree. */
    private static String oldErrorMessage(String body) {
        String message = body;
        try {
            var node = MAPPER.readTree(body);
            if (node != null && node.has("message")) {
                message = node.get("message").asText();
            }
        } catch (JsonProcessingException e) {
            // Not the API's JSON: show the body as it is.
        }
        return message;
    }

    private static final List<String> FIELDS = List.of("hostId", "hostname", "role", "overlay", "underlay", "lastSeen");
    private static final List<String> VALUES = List.of("1", "-1", "-0", "1.5", "1e2", "-0.0", "1E400", "true", "false", "null",
            "[]", "{}", "[1]", "[true]", "[1.50]", "[\"198.51.100.9\"]", "[null]", "[\"x\"]", "[[]]", "[{}]", "{\"a\":[1,{\"b\":null}]}",
            "\"198.51.100.9\"", "\"100.64.0.300\"", "\"x\"", "\"\"", "\"2026-11-27T03:00:00Z\"", "\"2026-13-27T03:00:00Z\"",
            "99999999999999999999", "\"h\\u0000\\\"\"");

    /** A peer list as a hub writes it; now and then with fields a newer hub might add. */
    private static ArrayNode randomAnswer(Random r) {
        ArrayNode list = MAPPER.createArrayNode();
        for (int n = r.nextInt(4); n > 0; n--) {
            ObjectNode p = list.addObject();
            String host = AwkwardText.of(r, "h", r.nextInt(10));
            p.put("hostId", host);
            p.put("hostname", r.nextInt(4) == 0 ? null : r.nextBoolean() ? host : AwkwardText.of(r, "n", r.nextInt(10)));
            p.put("role", r.nextInt(5) == 0 ? null : List.of("worker", "control-plane").get(r.nextInt(2)));
            p.put("overlay", "100.64." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
            ArrayNode underlay = p.putArray("underlay");
            for (int u = r.nextInt(3); u > 0; u--) {
                underlay.add((r.nextBoolean() ? "198.51.100." : "203.0.113.") + (1 + r.nextInt(254)));
            }
            p.put("lastSeen", Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(3) == 0 ? r.nextInt(1_000_000_000) : 0).toString());
            if (r.nextInt(4) == 0) {
                p.put(List.of("mtu", "version", "status").get(r.nextInt(3)), "x");
            }
        }
        return list;
    }

    /** Stands for a raw value in the mapper's text, so numbers reach the readers as written (1e2, -0, 1E400). */
    private static final String RAW = "@raw@";

    private static String damage(Random r, ArrayNode list) throws Exception {
        String json = MAPPER.writeValueAsString(list);
        int kind = r.nextInt(12);
        if (list.isEmpty() && kind >= 2 && kind <= 6) {
            list.add(MAPPER.readTree("{\"hostId\":\"h\",\"hostname\":null,\"role\":null,\"overlay\":\"100.64.0.2\",\"underlay\":[],"
                    + "\"lastSeen\":\"2026-11-27T03:00:00Z\"}"));
        }
        ObjectNode peer = list.isEmpty() ? null : (ObjectNode) list.get(r.nextInt(list.size()));
        String field = FIELDS.get(r.nextInt(FIELDS.size()));
        String raw = VALUES.get(r.nextInt(VALUES.size()));
        String placed = MAPPER.writeValueAsString(RAW);
        return switch (kind) {
            case 0 -> json;
            case 1 -> json.substring(0, r.nextInt(json.length()));
            case 2, 3 -> {
                peer.put(field, RAW);
                yield MAPPER.writeValueAsString(list).replace(placed, raw);
            }
            case 4 -> {
                peer.remove(field);
                yield MAPPER.writeValueAsString(list);
            }
            case 5 -> {
                peer.put(List.of("address", "HostId", "zone", "labels").get(r.nextInt(4)), RAW);
                yield MAPPER.writeValueAsString(list).replace(placed, raw);
            }
            case 6 -> {
                // A repeated field, first or last in the object.
                String first = MAPPER.writeValueAsString(list);
                String pair = java.util.regex.Matcher.quoteReplacement("\"" + field + "\":" + raw);
                yield r.nextBoolean() ? first.replaceFirst("\\{\"hostId\":", "{" + pair + ",\"hostId\":")
                        : first.replaceFirst("(\"lastSeen\":\"[^\"]*\")", "$1," + pair);
            }
            case 7 -> {
                list.insert(r.nextInt(list.size() + 1), RAW);
                yield MAPPER.writeValueAsString(list).replace(placed, raw);
            }
            case 8 -> json + List.of("[]", "x", "]", "1", "{", " garbage").get(r.nextInt(6));
            case 9 -> list.toPrettyString();
            default -> raw;
        };
    }
}
