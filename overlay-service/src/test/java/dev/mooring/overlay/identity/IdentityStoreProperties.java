package dev.mooring.overlay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.testing.AwkwardText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * identity.json is written with Jackson's streaming generator and read by the store's own JSON
 * reader now, no ObjectMapper. On random identities (host ids with quotes, backslashes, control
 * characters and non-ASCII text) the file is byte for byte what the mapper's default pretty
 * printer wrote; on random damage to it (cut short, a field of the wrong kind, removed or
 * repeated) the store fails or succeeds as the mapper's tree did, with the same message, except
 * that a syntax error is worded by the store's reader (at the same line).
 */
class IdentityStoreProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    static LongStream seeds() {
        return LongStream.range(0, 500);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void writesWhatTheMapperWroteAndReadsAsItsTreeDid(long seed) throws Exception {
        Random r = new Random(seed);
        OverlayIdentity identity = randomIdentity(r);
        IdentityStore store = new IdentityStore(dir.resolve("state"));

        store.save(identity);

        String json = Files.readString(store.file());
        assertThat(json).isEqualTo(mapperWrote(identity));
        assertThat(store.load()).contains(identity);

        String damaged = damage(r, json);
        Files.writeString(store.file(), damaged);
        String old = treeRead(store.file(), damaged.getBytes(StandardCharsets.UTF_8));
        String ours;
        try {
            ours = "read " + store.load().orElseThrow();
        } catch (IdentityException e) {
            ours = e.getMessage();
        }
        String file = store.file().toString();
        if (old.startsWith(file + ":") && Character.isDigit(old.charAt(file.length() + 1))) {
            // Not JSON for either reader: the store's own reader words the problem its own way, at
            // the same line (Jackson's column is one past the character it stopped at).
            String line = old.substring(0, old.indexOf(':', file.length() + 1) + 1);
            assertThat(ours).as("reading\n%s\nthe mapper said: %s", damaged, old).startsWith(line).contains(": not valid JSON (");
        } else {
            assertThat(ours).as("reading\n%s", damaged).isEqualTo(old);
        }
    }

    private static String mapperWrote(OverlayIdentity identity) throws JsonProcessingException {
        var node = MAPPER.createObjectNode()
                .put("format", 1)
                .put("hostId", identity.hostId())
                .put("overlay", identity.overlay().toString())
                .put("cidr", identity.cidr().toString())
                .put("vip", identity.vip().toString())
                .put("vni", identity.vni())
                .put("created", identity.created().toString())
                .put("incarnation", identity.incarnation());
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
    }

    /** The reader as it was: ObjectMapper.readTree and JsonNode checks; its result as our messages say it. */
    private static String treeRead(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String where = at == null ? file.toString() : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
            return corrupt(file, where + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (java.io.IOException e) {
            return corrupt(file, file + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (root == null || root.isMissingNode()) {
            return corrupt(file, file + ": the file is empty");
        }
        if (!root.isObject()) {
            return corrupt(file, file + ": expected a JSON object, found " + root.getNodeType());
        }
        try {
            int format = integer(root, "format");
            if (format != 1) {
                throw new IllegalArgumentException("format " + format + " is not one this version reads (1); a newer Mooring wrote it: run that version");
            }
            return "read " + new OverlayIdentity(text(root, "hostId"), Ipv4Address.parse(text(root, "overlay")),
                    Cidr.parse(text(root, "cidr")), Ipv4Address.parse(text(root, "vip")), integer(root, "vni"),
                    Instant.parse(text(root, "created")), number(root, "incarnation"));
        } catch (java.time.format.DateTimeParseException | IllegalArgumentException e) {
            return corrupt(file, file + ": " + e.getMessage());
        }
    }

    private static int integer(JsonNode root, String field) {
        long value = number(root, field);
        if (value != (int) value) {
            throw new IllegalArgumentException("field '" + field + "' is out of range: " + value);
        }
        return (int) value;
    }

    private static String corrupt(Path file, String what) {
        return what + ". This file holds the overlay address the cluster knows this host by, so it is not replaced: restore it"
                + " from a backup or repair it by hand. Only if this host should join as a new member with a possibly different"
                + " address, delete " + file;
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is " + (node == null ? "missing" : "not a string"));
        }
        return node.asText();
    }

    private static long number(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.canConvertToLong() || !node.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' is " + (node == null ? "missing" : "not a whole number"));
        }
        return node.asLong();
    }

    private static final List<String> FIELDS = List.of("format", "hostId", "overlay", "cidr", "vip", "vni", "created", "incarnation");
    private static final List<String> VALUES = List.of("1", "2", "-1", "4242", "1.0", "1e2", "99999999999999999999", "\"1\"",
            "true", "null", "[]", "{}", "[1, {\"a\": 2}]", "\"100.64.192.10\"", "\"x\"", "\"2026-11-27T03:00:00Z\"",
            "2147483648", "\"\"");

    /** One kind of damage, or none: cut short, a field's value replaced, a field removed or repeated, not an object. */
    private static String damage(Random r, String json) {
        String field = FIELDS.get(r.nextInt(FIELDS.size()));
        String line = json.lines().filter(l -> l.startsWith("  \"" + field + "\" : ")).findFirst().orElseThrow();
        String comma = line.endsWith(",") ? "," : "";
        return switch (r.nextInt(7)) {
            case 0 -> json;
            case 1 -> json.substring(0, r.nextInt(json.length()));
            case 2, 3 -> json.replace(line, "  \"" + field + "\" : " + VALUES.get(r.nextInt(VALUES.size())) + comma);
            case 4 -> json.replace(line + "\n", "");
            case 5 -> json.replace(line, line + (comma.isEmpty() ? ",\n" : "\n") + line);
            default -> VALUES.get(r.nextInt(VALUES.size()));
        };
    }

    private static OverlayIdentity randomIdentity(Random r) {
        Cidr cidr = Cidr.parse("100.64.192.0/23");
        String host = AwkwardText.of(r, "", 1 + r.nextInt(12));
        return new OverlayIdentity(host, cidr.firstUsable().plus(1 + r.nextInt(500)), cidr, cidr.firstUsable(),
                r.nextInt(1 << 24), Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(3) == 0 ? r.nextInt(1_000_000_000) : 0),
                r.nextBoolean() ? r.nextInt(1000) : r.nextLong() & Long.MAX_VALUE);
    }
}
