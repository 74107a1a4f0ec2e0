package dev.mooring.overlay.config;

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
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.config.OverlayConfig.Host;
import dev.mooring.overlay.config.OverlayConfig.Role;
import dev.mooring.overlay.config.OverlayConfig.StaticPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads overlay.yaml. Jackson maps the YAML onto plain records (unknown keys refused); the values
 * are then parsed with the shared address parsers and checked with
 * {@link OverlaySettings#problems}, each problem reported at the line and column of its value.
 * Every problem is collected, so one run shows them all.
 */
public final class OverlayConfigLoader {

    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(YAML)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private OverlayConfigLoader() {}

    // The file's shape, as Jackson maps it. Strings, so that parsing errors carry our positions.
    record FileModel(HostModel host, String role, OverlayModel overlay, List<PeerModel> peers, String status) {}

    record HostModel(String name, String id) {}

    record OverlayModel(Boolean enabled, String cidr, String vip, Integer vni, Integer port, Integer mtu,
                        String underlay, String key, String address) {}

    record PeerModel(String host, String address, String underlay) {}

    /** Reads and checks {@code file}. */
    public static OverlayConfig load(Path file) throws OverlayConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new OverlayConfigException(List.of(new OverlayConfigException.Problem(file, 0, 0, "",
                    "cannot read the file (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + "); check the --config path and its permissions")));
        }
        return parse(file, text);
    }

    /** Checks {@code text}, reporting positions against {@code source}. */
    public static OverlayConfig parse(Path source, String text) throws OverlayConfigException {
        Positions positions = Positions.of(source, text);
        if (positions.values().isEmpty()) {
            throw new OverlayConfigException(List.of(new OverlayConfigException.Problem(source, 1, 1, "",
                    "the file is empty; it needs at least host, overlay.address and peers (see docs/overlay.md)")));
        }
        FileModel model;
        try {
            model = MAPPER.readValue(text, FileModel.class);
        } catch (JsonProcessingException e) {
            throw new OverlayConfigException(List.of(positions.problem(e)));
        }
        return new Checker(source, positions.values()).check(model);
    }

    /** Where each key and each value starts, by JSON pointer ({@code /overlay/vip}, {@code /peers/0/host}). */
    private record Positions(Path source, Map<String, JsonLocation> keys, Map<String, JsonLocation> values) {

        static Positions of(Path source, String text) throws OverlayConfigException {
            Positions out = new Positions(source, new HashMap<>(), new HashMap<>());
            try (JsonParser p = YAML.createParser(text)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (t == JsonToken.FIELD_NAME) {
                        out.keys.putIfAbsent(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation());
                    } else if (t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
                        // A container's own context starts with the token, so its path is its parent's.
                        var context = t.isStructStart() ? p.getParsingContext().getParent() : p.getParsingContext();
                        out.values.putIfAbsent(context.pathAsPointer().toString(), p.currentTokenLocation());
                    }
                }
            } catch (JsonProcessingException e) {
                OverlayConfigException.Problem problem = out.problem(e);
                if (e.getOriginalMessage().startsWith("Duplicate field") && e.getLocation() != null) {
                    // The parser stands after the second key; point at the key itself.
                    String quoted = e.getOriginalMessage().substring("Duplicate field ".length());
                    int line = e.getLocation().getLineNr();
                    String lineText = text.lines().skip(line - 1).findFirst().orElse("");
                    int column = lineText.indexOf(quoted.replace("'", "")) + 1;
                    problem = new OverlayConfigException.Problem(source, line, column > 0 ? column : e.getLocation().getColumnNr(),
                            "", "the key " + quoted + " appears twice in one mapping; keep one");
                }
                throw new OverlayConfigException(List.of(problem));
            } catch (IOException e) {
                // Reading a String does no I/O; only a parse error can get here.
                throw new java.io.UncheckedIOException(e);
            }
            return out;
        }

        OverlayConfigException.Problem problem(JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            if (e instanceof JsonMappingException m) {
                String key = dotted(m.getPath());
                String pointer = pointer(m.getPath());
                // Report a key we refuse at the key, a value we cannot map at the value.
                JsonLocation known = m instanceof UnrecognizedPropertyException ? keys.get(pointer) : values.get(pointer);
                at = known != null ? known : at;
                String message = switch (m) {
                    case UnrecognizedPropertyException u -> "unknown key '" + u.getPropertyName() + "'; the keys allowed "
                            + (key.contains(".") || key.contains("[") ? "here" : "at the top")
                            + " are: " + String.join(", ", new TreeSet<>(u.getKnownPropertyIds().stream().map(Object::toString).toList()));
                    case InvalidFormatException f -> "'" + f.getValue() + "' is not " + describe(f.getTargetType());
                    case MismatchedInputException mi -> "expected " + describe(mi.getTargetType()) + " here";
                    default -> m.getOriginalMessage();
                };
                return new OverlayConfigException.Problem(source, line(at), column(at), key, message);
            }
            return new OverlayConfigException.Problem(source, line(at), column(at), "",
                    "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("") + "; fix the syntax at this position");
        }

        private static int line(JsonLocation at) {
            return at == null ? 0 : Math.max(at.getLineNr(), 0);
        }

        private static int column(JsonLocation at) {
            return at == null ? 0 : Math.max(at.getColumnNr(), 0);
        }
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            out.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
        }
        return out.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "a value of the right kind";
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a single value (text)";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list (- item)";
        }
        return "a mapping (key: value)";
    }

    private static String dotted(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** Turns the mapped model into an {@link OverlayConfig}, collecting every problem with its position. */
    private static final class Checker {
        private final Path source;
        private final Map<String, JsonLocation> positions;
        private final List<OverlayConfigException.Problem> problems = new ArrayList<>();

        Checker(Path source, Map<String, JsonLocation> positions) {
            this.source = source;
            this.positions = positions;
        }

        OverlayConfig check(FileModel m) throws OverlayConfigException {
            Host host = host(m.host());
            Role role = Role.WORKER;
            if (m.role() != null) {
                role = Role.parse(m.role()).orElse(null);
                if (role == null) {
                    report("/role", "'" + m.role() + "' is not a role; write control-plane or worker");
                }
            }
            Path status = OverlayConfig.DEFAULT_STATUS_FILE;
            if (m.status() != null) {
                if (m.status().isBlank() || !m.status().startsWith("/")) {
                    report("/status", "'" + m.status() + "' is not an absolute path; write e.g. " + OverlayConfig.DEFAULT_STATUS_FILE);
                } else {
                    status = Path.of(m.status());
                }
            }
            OverlaySettings settings = null;
            if (m.overlay() == null) {
                report("", "the overlay section is missing; add overlay: with at least address: (see docs/overlay.md)");
            } else {
                settings = settings(m.overlay());
            }
            List<StaticPeer> peers = settings == null || host == null ? List.of() : peers(m.peers(), settings, host);
            if (!problems.isEmpty()) {
                throw new OverlayConfigException(problems);
            }
            return new OverlayConfig(source, host, role, settings, peers, status);
        }

        private Host host(HostModel h) {
            if (h == null) {
                report("", "host is missing; add host: {name: <this host's name>}");
                return null;
            }
            if (h.name() == null || h.name().isBlank()) {
                report("/host", "host.name is missing; write the name the cluster knows this host by");
                return null;
            }
            return new Host(h.name(), Optional.ofNullable(h.id()).filter(s -> !s.isBlank()));
        }

        private OverlaySettings settings(OverlayModel o) {
            int before = problems.size();
            Cidr cidr = o.cidr() == null ? OverlaySettings.DEFAULT_CIDR : parse("/overlay/cidr", o.cidr(), Cidr::parse);
            Ipv4Address vip = o.vip() == null ? (cidr == null ? null : cidr.firstUsable())
                    : parse("/overlay/vip", o.vip(), Ipv4Address::parse);
            UnderlaySelector underlay = o.underlay() == null ? new UnderlaySelector.Auto()
                    : parse("/overlay/underlay", o.underlay(), UnderlaySelector::parse);
            Optional<ClusterKey> key = o.key() == null ? Optional.empty()
                    : Optional.ofNullable(parse("/overlay/key", o.key(), ClusterKey::parse));
            Ipv4Address address = null;
            if (o.address() == null) {
                report("/overlay", "overlay.address is missing; this version needs a static overlay address for the host, "
                        + "e.g. address: " + (cidr == null ? OverlaySettings.DEFAULT_CIDR : cidr).firstUsable().plus(9));
            } else {
                address = parse("/overlay/address", o.address(), Ipv4Address::parse);
            }
            if (problems.size() > before) {
                return null;
            }
            int vni = o.vni() == null ? OverlaySettings.DEFAULT_VNI : o.vni();
            int port = o.port() == null ? OverlaySettings.DEFAULT_PORT : o.port();
            OptionalInt mtu = o.mtu() == null ? OptionalInt.empty() : OptionalInt.of(o.mtu());
            for (OverlaySettings.Problem p : OverlaySettings.problems(cidr, vip, vni, port, mtu, Optional.of(address))) {
                report("/overlay/" + p.field(), p.message());
            }
            if (problems.size() > before) {
                return null;
            }
            return new OverlaySettings(o.enabled() == null || o.enabled(), cidr, vip, vni, port, mtu, underlay, key,
                    Optional.of(address));
        }

        private List<StaticPeer> peers(List<PeerModel> models, OverlaySettings settings, Host host) {
            if (models == null) {
                return List.of();
            }
            List<StaticPeer> out = new ArrayList<>();
            Set<String> names = new HashSet<>(Set.of(host.name()));
            Set<Ipv4Address> overlays = new HashSet<>(Set.of(settings.address().orElseThrow(), settings.vip()));
            Set<Ipv4Address> underlays = new HashSet<>();
            for (int i = 0; i < models.size(); i++) {
                String at = "/peers/" + i;
                PeerModel p = models.get(i);
                if (p == null || p.host() == null || p.address() == null || p.underlay() == null) {
                    report(at, "a peer needs host, address (its overlay address) and underlay (its physical IPv4 address)");
                    continue;
                }
                if (!names.add(p.host())) {
                    report(at + "/host", "'" + p.host() + "' is " + (p.host().equals(host.name())
                            ? "this host's own name; list only the other hosts" : "listed twice; list each peer once"));
                }
                Ipv4Address address = parse(at + "/address", p.address(), Ipv4Address::parse);
                if (address != null) {
                    Cidr cidr = settings.cidr();
                    if (!cidr.isUsableHost(address)) {
                        report(at + "/address", address + " is not a usable host address of the overlay CIDR " + cidr
                                + "; pick one between " + cidr.firstUsable() + " and " + cidr.lastUsable());
                    } else if (!overlays.add(address)) {
                        report(at + "/address", address + (address.equals(settings.vip()) ? " is the VIP"
                                : address.equals(settings.address().orElseThrow()) ? " is this host's own address"
                                : " is used by another peer") + "; every host needs its own overlay address");
                    }
                }
                Ipv4Address underlay = parse(at + "/underlay", p.underlay(), Ipv4Address::parse);
                if (underlay != null) {
                    if (underlay.isUnspecified() || settings.cidr().contains(underlay)) {
                        report(at + "/underlay", underlay + " cannot be a peer's underlay address"
                                + (underlay.isUnspecified() ? "" : ": it is inside the overlay CIDR " + settings.cidr())
                                + "; write the peer's physical IPv4 address");
                    } else if (!underlays.add(underlay)) {
                        report(at + "/underlay", underlay + " is the underlay address of another peer; each host has its own");
                    }
                }
                if (address != null && underlay != null) {
                    out.add(new StaticPeer(p.host(), address, underlay));
                }
            }
            return out;
        }

        private <T> T parse(String pointer, String text, Function<String, T> parser) {
            try {
                return parser.apply(text);
            } catch (InvalidAddressException e) {
                report(pointer, e.getMessage());
                return null;
            }
        }

        private void report(String pointer, String message) {
            JsonLocation at = positions.get(pointer);
            // A missing key has no position of its own: report it at its parent, or the file start.
            for (String p = pointer; at == null && !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
                at = positions.get(p.substring(0, p.lastIndexOf('/')));
            }
            problems.add(new OverlayConfigException.Problem(source, at == null ? 1 : at.getLineNr(),
                    at == null ? 1 : at.getColumnNr(), key(pointer), message));
        }

        private static String key(String pointer) {
            StringBuilder out = new StringBuilder();
            for (String part : pointer.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (part.chars().allMatch(Character::isDigit)) {
                    out.append('[').append(part).append(']');
                } else {
                    out.append(out.isEmpty() ? "" : ".").append(part);
                }
            }
            return out.toString();
        }
    }
}
