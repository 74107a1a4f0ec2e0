package dev.mooring.overlay.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * credentials.json is read with Jackson's streaming parser now, no ObjectMapper. On random
 * credentials (texts with quotes, backslashes, control characters and non-ASCII text), as first
 * boot writes them or compact, both readers give the same credentials; on random damage (cut
 * short, a field of another kind, removed, repeated or unknown, not an object, something after
 * it) the new reader fails whenever the mapper failed, and gives the same credentials when the
 * mapper did, except where the mapper coerced a value of another kind (a number for a string,
 * "1" or 1.0 for the version), took the last of a repeated field or ignored what follows the
 * object: those the new reader refuses, saying so. Every failure names the file, and the line and
 * column where the JSON is at fault.
 */
class HubCredentialsProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @TempDir
    Path dir;

    static LongStream seeds() {
        return LongStream.range(0, 600);
    }

    /** {@code refused}: what the new reader's message says where the mapper let it pass (null: nothing to refuse). */
    record Damaged(String text, String refused) {}

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void readsAsTheMapperDidOrRefusesWhatItCoerced(long seed) throws Exception {
        Random r = new Random(seed);
        ObjectNode node = randomCredentials(r);
        String json = r.nextBoolean() ? node.toPrettyString() + "\n" : MAPPER.writeValueAsString(node);
        Path file = Files.writeString(dir.resolve("credentials.json"), json);
        assertThat(newRead(file)).isEqualTo(oldRead(file, json));

        Damaged d = damage(r, node);
        Files.writeString(file, d.text());
        String old = oldRead(file, d.text());
        String ours = newRead(file);
        if (old.startsWith("read ") && d.refused() == null) {
            assertThat(ours).as("reading\n%s", d.text()).isEqualTo(old);
        } else {
            assertThat(ours).as("reading\n%s\n(the mapper: %s)", d.text(), old).doesNotStartWith("read ").startsWith(file.toString());
            if (old.startsWith("read ")) {
                assertThat(ours).as("reading\n%s", d.text()).contains(d.refused());
            }
        }
        if (ours.contains("not valid hub credentials") && !ours.contains("the file is empty")) {
            assertThat(ours).as("reading\n%s", d.text()).matches("(?s)" + java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: .*");
        }
    }

    private static String newRead(Path file) {
        try {
            HubCredentials c = HubCredentials.load(file);
            return "read " + c + " key " + c.apiKey();
        } catch (HubException e) {
            return e.getMessage();
        }
    }

    record FileModel(Integer version, String url, String cluster, String hostId, String apiKey, String ca) {}

    /** HubCredentials.load as it was, with ObjectMapper.readValue onto a record. */
    private static String oldRead(Path file, String text) {
        FileModel m;
        try {
            m = MAPPER.readValue(text, FileModel.class);
        } catch (JsonProcessingException e) {
            return file + ": not valid hub credentials (" + e.getOriginalMessage() + ")";
        }
        if (m == null || m.version() == null || m.version() != 1) {
            return file + ": version " + (m == null ? null : m.version()) + " is not 1";
        }
        for (String[] field : new String[][] {{"url", m.url()}, {"cluster", m.cluster()}, {"hostId", m.hostId()},
                {"apiKey", m.apiKey()}}) {
            if (field[1] == null || field[1].isBlank()) {
                return file + ": the field " + field[0] + " is missing";
            }
        }
        URI url;
        try {
            url = new URI(m.url());
        } catch (URISyntaxException e) {
            return file + ": url '" + m.url() + "' is not a URL (" + e.getReason() + ")";
        }
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme()) || url.getHost() == null) {
            return file + ": url '" + m.url() + "' is not an http(s) URL with a host";
        }
        HubCredentials c = new HubCredentials(url, m.cluster(), m.hostId(), m.apiKey(),
                m.ca() == null || m.ca().isBlank() ? Optional.empty() : Optional.of(Path.of(m.ca())));
        return "read " + c + " key " + c.apiKey();
    }

    private static final List<String> FIELDS = List.of("version", "url", "cluster", "hostId", "apiKey", "ca");
    private static final List<String> VALUES = List.of("1", "2", "-1", "0", "1.0", "1e2", "99999999999999999999", "2147483649",
            "\"1\"", "true", "false", "null", "[]", "{}", "[1, {\"a\": 2}]", "[\"x\"]", "\"https://hub.example.com\"",
            "\"http://10.0.0.1:8080/hub\"", "\"ftp://x\"", "\"https://\"", "\"a b\"", "\"x\"", "\"\"", "\" \"");

    private static Damaged damage(Random r, ObjectNode node) throws IOException {
        String field = FIELDS.get(r.nextInt(FIELDS.size()));
        ObjectNode copy = node.deepCopy();
        String pretty = node.toPrettyString() + "\n";
        return switch (r.nextInt(9)) {
            case 0 -> new Damaged(pretty, null);
            case 1 -> new Damaged(pretty.substring(0, r.nextInt(pretty.length())), null);
            case 2, 3 -> {
                JsonNode value = MAPPER.readTree(VALUES.get(r.nextInt(VALUES.size())));
                copy.set(field, value);
                boolean fits = value.isNull() || (field.equals("version") ? value.isIntegralNumber() && value.canConvertToLong()
                        : value.isTextual());
                yield new Damaged(r.nextBoolean() ? copy.toPrettyString() : MAPPER.writeValueAsString(copy),
                        fits ? null : "field '" + field + "' is");
            }
            case 4 -> {
                copy.remove(field);
                yield new Damaged(copy.toPrettyString(), null);
            }
            case 5 -> {
                List<String> lines = pretty.lines().toList();
                String line = lines.stream().filter(l -> l.startsWith("  \"" + field + "\" : ")).findFirst().orElse(lines.get(1));
                String comma = line.endsWith(",") ? "," : "";
                yield new Damaged(pretty.replace(line, line + (comma.isEmpty() ? ",\n" : "\n") + line), "Duplicate field");
            }
            case 6 -> {
                copy.put(r.nextBoolean() ? "Url" : "expires", "x");
                yield new Damaged(copy.toPrettyString(), null);
            }
            case 7 -> new Damaged(pretty + List.of("{}", "x", "}", "1", "[").get(r.nextInt(5)), "not valid hub credentials");
            default -> new Damaged(VALUES.get(r.nextInt(VALUES.size())), null);
        };
    }

    private static ObjectNode randomCredentials(Random r) {
        ObjectNode n = MAPPER.createObjectNode().put("version", 1)
                .put("url", List.of("https://hub.example.com:8443", "http://198.51.100.7:8080", "https://hub.example.com/base/",
                        "http://[2001:db8::1]:80").get(r.nextInt(4)))
                .put("cluster", text(r)).put("hostId", text(r)).put("apiKey", "mk_" + text(r));
        switch (r.nextInt(4)) {
            case 0 -> n.put("ca", "/etc/mooring/hub-ca.pem");
            case 1 -> n.put("ca", "/tmp/" + text(r).replace('\0', 'x'));
            case 2 -> n.putNull("ca");
            default -> { }
        }
        return n;
    }

    private static String text(Random r) {
        StringBuilder s = new StringBuilder("k");
        for (int i = r.nextInt(12); i > 0; i--) {
            switch (r.nextInt(6)) {
                case 0 -> s.append((char) (1 + r.nextInt(0x1f)));
                case 1 -> s.append("\"\\/".charAt(r.nextInt(3)));
                case 2 -> s.append((char) (0x7f + r.nextInt(0x800)));
                case 3 -> s.append(List.of("\u2028", "é", "€", "😀").get(r.nextInt(4)));
                default -> s.append((char) (0x20 + r.nextInt(0x5f)));
            }
        }
        return s.toString();
    }
}
