package dev.mooring.overlay.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mooring.overlay.config.OverlayConfigLoader.FileModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.nodes.Node;

/**
 * {@link OverlayYaml} reads overlay.yaml as the Jackson mapping did before it (kept here, in test
 * code only): on random files, a file Jackson read gives the same model and the same value
 * positions; a file Jackson refused is refused with Jackson's problem among ours (we report
 * every problem, Jackson its first), except where a message was made clearer on purpose.
 */
class OverlayYamlProperties {

    private static final Path FILE = Path.of("/etc/mooring/overlay.yaml");

    static LongStream seeds() {
        return LongStream.range(0, 3000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void readsWhatJacksonRead(long seed) throws Exception {
        String text = randomFile(new Random(seed));
        Jackson.Result old = Jackson.read(text);
        OverlayYaml yaml = new OverlayYaml(FILE);
        List<OverlayConfigException.Problem> problems;
        FileModel model = null;
        try {
            Node root = yaml.compose(text);
            if (root == null) {
                problems = List.of(new OverlayConfigException.Problem(FILE, 1, 1, "", "the file is empty"));
            } else {
                model = FileModel.read(yaml, root);
                problems = yaml.problems();
            }
        } catch (OverlayConfigException e) {
            problems = e.problems();
        }
        List<String> ours = problems.stream().map(OverlayConfigException.Problem::toString).toList();
        if (old.problem() == null) {
            assertThat(ours).as("problems reading\n%s", text).isEmpty();
            assertThat(model).as("model of\n%s", text).isEqualTo(old.model());
            for (Map.Entry<String, String> e : old.positions().entrySet()) {
                var mark = yaml.positions().get(e.getKey());
                if (mark != null) {
                    assertThat((mark.getLine() + 1) + ":" + (mark.getColumn() + 1)).as("position of %s in\n%s", e.getKey(), text)
                            .isEqualTo(e.getValue());
                }
            }
        } else {
            OverlayConfigException.Problem expected = old.problem();
            if (expected.message().startsWith("not valid YAML")) {
                // Jackson quoted the parser's context ("while scanning a simple key"), we its problem.
                assertThat(ours).as("problems reading\n%s", text).anyMatch(p -> p.contains(": not valid YAML: "));
            } else if (clearerOnPurpose(expected)) {
                // The same place and key; the message quotes the value as written, or says the range.
                String where = expected.toString().substring(0, expected.toString().indexOf(expected.message()));
                assertThat(ours).as("problems reading\n%s", text)
                        .anyMatch(p -> p.startsWith(where) && p.contains("is not a whole number"));
            } else {
                assertThat(ours).as("problems reading\n%s", text).contains(expected.toString());
            }
        }
    }

    /**
     * Jackson's messages that were made clearer: a fraction quoted as Jackson's double ('1000.0'
     * for 1e3), numbers beyond an int in Jackson's internal wording.
     */
    private static boolean clearerOnPurpose(OverlayConfigException.Problem p) {
        return p.message().matches("'-?[0-9.E]+' is not a whole number") || p.message().contains("out of range of int")
                || p.message().startsWith("Malformed numeric value");
    }

    // ---- random files: the real keys with valid and tricky values, unknown keys, wrong kinds, null and empty values

    private static final List<String> SCALARS = List.of("42", "4242", "-7", "+5", "0x1F", "017", "08", "1_000", "0b101", "0",
            "00", "-0", "1.5", "1400.5", "1.0", "1e3", ".5", "true", "false", "True", "TRUE", "yes", "no", "on", "off", "Off",
            "y", "n", "~", "null", "Null", "", "''", "'42'", "' 42 '", "'+5'", "'007'", "'true'", "'True'", "'yes'", "\"\"",
            "' '", "'~'", "1:30", "99999999999", "2147483647", "2147483648", "-2147483649", "'12345678901'", "abc", "h1",
            "store-0042", "100.64.192.10", "100.64.192.0/23", "198.51.100.12", "eth0", "auto", "/var/lib/x", "relative",
            "127.0.0.1:9700", "'off'", "250ms", "1s", "control-plane", "worker", "!!str 42", "!!int 42", "'１２'",
            "2024-01-01", "\"a\\tb\"", "'it''s'", "|\n  block\n", "0o17", "0X1F", "1_", "0x_1F");

    private static final Map<String, List<String>> SECTIONS = Map.of(
            "host", List.of("name", "id"),
            "overlay", List.of("enabled", "cidr", "vip", "vni", "port", "mtu", "underlay", "key", "address"),
            "discovery", List.of("enabled", "port", "interval"),
            "vip", List.of("health-port"),
            "hub", List.of("credentials", "heartbeat"));
    private static final List<String> TOP = List.of("cluster", "host", "role", "overlay", "discovery", "vip", "metrics",
            "state", "peers", "status", "hub");

    private static String randomFile(Random r) {
        StringBuilder out = new StringBuilder();
        if (r.nextInt(40) == 0) {
            return List.of("", "# only a comment\n", "~\n", "- a\n", "just text\n", "---\n").get(r.nextInt(6));
        }
        List<String> keys = new ArrayList<>(TOP);
        java.util.Collections.shuffle(keys, r);
        for (String key : keys.subList(0, 1 + r.nextInt(keys.size()))) {
            out.append(r.nextInt(30) == 0 ? "bogus" : key).append(':');
            if (SECTIONS.containsKey(key) && r.nextInt(10) > 0) {
                out.append(section(r, SECTIONS.get(key), "  "));
            } else if (key.equals("peers") && r.nextInt(10) > 0) {
                out.append('\n');
                for (int i = r.nextInt(4); i > 0; i--) {
                    out.append("  -").append(r.nextInt(12) == 0 ? " " + scalar(r) + "\n"
                            : section(r, List.of("host", "address", "underlay"), "    "));
                }
            } else {
                out.append(' ').append(value(r)).append('\n');
            }
            if (r.nextInt(60) == 0) {
                out.append(key).append(": ").append(scalar(r)).append('\n'); // a repeated key
            }
        }
        return out.toString();
    }

    /** A mapping, in flow style on one line or block style below its key. */
    private static String section(Random r, List<String> allowed, String indent) {
        List<String> keys = new ArrayList<>(allowed);
        java.util.Collections.shuffle(keys, r);
        keys = new ArrayList<>(keys.subList(0, r.nextInt(keys.size() + 1)));
        if (r.nextInt(15) == 0) {
            keys.add(r.nextInt(keys.size() + 1), "extra");
        }
        if (r.nextBoolean()) {
            List<String> pairs = new ArrayList<>();
            for (String k : keys) {
                String v = scalar(r);
                pairs.add(k + ": " + (v.startsWith("|") || v.startsWith("!!") || v.isEmpty() ? "x" : v));
            }
            return " {" + String.join(", ", pairs) + "}\n";
        }
        StringBuilder out = new StringBuilder("\n");
        for (String k : keys) {
            out.append(indent).append(k).append(':');
            String v = value(r);
            out.append(v.startsWith("|") ? " " + v.replace("\n  ", "\n  " + indent) : " " + v + "\n");
        }
        return keys.isEmpty() ? " {}\n" : out.toString();
    }

    private static String value(Random r) {
        return switch (r.nextInt(25)) {
            case 0 -> "[" + scalar(r).replace("|\n  block\n", "x") + "]";
            case 1 -> "{a: 1}";
            case 2 -> "[]";
            default -> scalar(r);
        };
    }

    private static String scalar(Random r) {
        return SCALARS.get(r.nextInt(SCALARS.size()));
    }

    // ---- the Jackson mapping as OverlayConfigLoader had it before OverlayYaml

    private static final class Jackson {
        private static final YAMLFactory YAML = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        private static final ObjectMapper MAPPER = new ObjectMapper(YAML)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

        record File(String cluster, Host host, String role, Overlay overlay, Discovery discovery, Vip vip, String metrics,
                    String state, List<Peer> peers, String status, Hub hub) {
            FileModel model() {
                return new FileModel(cluster, host == null ? null : new OverlayConfigLoader.HostModel(host.name, host.id), role,
                        overlay == null ? null : new OverlayConfigLoader.OverlayModel(overlay.enabled, overlay.cidr, overlay.vip,
                                overlay.vni, overlay.port, overlay.mtu, overlay.underlay, overlay.key, overlay.address),
                        discovery == null ? null : new OverlayConfigLoader.DiscoveryModel(discovery.enabled, discovery.port,
                                discovery.interval),
                        vip == null ? null : new OverlayConfigLoader.VipModel(vip.healthPort), metrics, state,
                        peers == null ? null : peers.stream().map(p -> p == null ? null
                                : new OverlayConfigLoader.PeerModel(p.host, p.address, p.underlay)).toList(),
                        status, hub == null ? null : new OverlayConfigLoader.HubModel(hub.credentials, hub.heartbeat));
            }
        }

        record Hub(String credentials, String heartbeat) {}

        record Discovery(Boolean enabled, Integer port, String interval) {}

        record Vip(@JsonProperty("health-port") Integer healthPort) {}

        record Host(String name, String id) {}

        record Overlay(Boolean enabled, String cidr, String vip, Integer vni, Integer port, Integer mtu, String underlay,
                       String key, String address) {}

        record Peer(String host, String address, String underlay) {}

        /** The model, or the one problem Jackson reported; value positions as "line:column" by pointer. */
        record Result(FileModel model, OverlayConfigException.Problem problem, Map<String, String> positions) {}

        static Result read(String text) {
            Map<String, JsonLocation> keys = new HashMap<>();
            Map<String, JsonLocation> values = new HashMap<>();
            try (JsonParser p = YAML.createParser(text)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (t == JsonToken.FIELD_NAME) {
                        keys.putIfAbsent(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation());
                    } else if (t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
                        var context = t.isStructStart() ? p.getParsingContext().getParent() : p.getParsingContext();
                        values.putIfAbsent(context.pathAsPointer().toString(), p.currentTokenLocation());
                    }
                }
            } catch (JsonProcessingException e) {
                String message = e.getOriginalMessage();
                if (message.startsWith("Duplicate field")) {
                    int line = e.getLocation().getLineNr();
                    String quoted = message.substring("Duplicate field ".length());
                    String lineText = text.lines().skip(line - 1).findFirst().orElse("");
                    int column = lineText.indexOf(quoted.replace("'", "")) + 1;
                    // Jackson pointed at the first occurrence on the line; ours is the repeated key itself.
                    return new Result(null, new OverlayConfigException.Problem(FILE, line, column, "",
                            "the key " + quoted + " appears twice in one mapping; keep one"), Map.of());
                }
                return new Result(null, problem(e, keys, values), Map.of());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (values.isEmpty()) {
                return new Result(null, new OverlayConfigException.Problem(FILE, 1, 1, "", "the file is empty"), Map.of());
            }
            File file;
            try {
                file = MAPPER.readValue(text, File.class);
            } catch (JsonProcessingException e) {
                return new Result(null, problem(e, keys, values), Map.of());
            }
            if (file == null) { // a lone null: the old loader failed on it (NullPointerException); ours says empty
                return new Result(null, new OverlayConfigException.Problem(FILE, 1, 1, "", "the file is empty"), Map.of());
            }
            Map<String, String> positions = new HashMap<>();
            values.forEach((k, v) -> positions.put(k, v.getLineNr() + ":" + v.getColumnNr()));
            return new Result(file.model(), null, positions);
        }

        private static OverlayConfigException.Problem problem(JsonProcessingException e, Map<String, JsonLocation> keys,
                                                              Map<String, JsonLocation> values) {
            JsonLocation at = e.getLocation();
            if (e instanceof JsonMappingException m) {
                StringBuilder pointer = new StringBuilder();
                for (JsonMappingException.Reference r : m.getPath()) {
                    pointer.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
                }
                String key = OverlayYaml.key(pointer.toString());
                JsonLocation known = m instanceof UnrecognizedPropertyException ? keys.get(pointer.toString())
                        : values.get(pointer.toString());
                at = known != null ? known : at;
                String message = switch (m) {
                    case UnrecognizedPropertyException u -> "unknown key '" + u.getPropertyName() + "'; the keys allowed "
                            + (key.contains(".") || key.contains("[") ? "here" : "at the top") + " are: "
                            + String.join(", ", new TreeSet<>(u.getKnownPropertyIds().stream().map(Object::toString).toList()));
                    case InvalidFormatException f -> "'" + f.getValue() + "' is not " + describe(f.getTargetType());
                    case MismatchedInputException mi -> "expected " + describe(mi.getTargetType()) + " here";
                    default -> m.getOriginalMessage();
                };
                return new OverlayConfigException.Problem(FILE, at.getLineNr(), at.getColumnNr(), key, message);
            }
            return new OverlayConfigException.Problem(FILE, at.getLineNr(), at.getColumnNr(), "",
                    "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("") + "; fix the syntax at this position");
        }

        private static String describe(Class<?> type) {
            if (type == Integer.class) {
                return "a whole number";
            }
            if (type == Boolean.class) {
                return "true or false";
            }
            if (type == String.class) {
                return "a single value (text)";
            }
            if (type != null && List.class.isAssignableFrom(type)) {
                return "a list (- item)";
            }
            return "a mapping (key: value)";
        }
    }
}
