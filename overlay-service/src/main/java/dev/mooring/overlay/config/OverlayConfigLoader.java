package dev.mooring.overlay.config;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.config.OverlayConfig.Host;
import dev.mooring.overlay.membership.Announcement;
import dev.mooring.overlay.config.OverlayConfig.Role;
import dev.mooring.overlay.config.OverlayConfig.StaticPeer;
import dev.mooring.overlay.config.OverlayConfig.Discovery;
import dev.mooring.overlay.config.OverlayConfig.Vip;
import java.util.Comparator;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads overlay.yaml. {@link OverlayYaml} reads the YAML into plain records (unknown keys refused,
 * every value's position kept); the values are then parsed with the shared address parsers and checked with
 * {@link OverlaySettings#problems}, each problem reported at the line and column of its value.
 * Every problem is collected, so one run shows them all.
 */
public final class OverlayConfigLoader {

    /** A DNS-1123 label, as Kubernetes names clusters and first boot checks mooring.cluster.name. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s)");
    /** {@code 127.0.0.1:9647}, {@code [::1]:9647}, {@code localhost:9647}. */
    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9a-fA-F:]+)\\]|([^\\[\\]:]+)):(\\d{1,5})");
    private static final int MEMBERLIST_PORT = 7946;

    private OverlayConfigLoader() {}

    // The file's shape. Strings, so that parsing errors carry our positions.
    record FileModel(String cluster, HostModel host, String role, OverlayModel overlay, DiscoveryModel discovery,
                     VipModel vip, String metrics, String state, List<PeerModel> peers, String status, HubModel hub) {

        /** Reads the model; what does not fit is in {@code yaml}'s problems, and read as absent. */
        static FileModel read(OverlayYaml yaml, Node root) {
            OverlayYaml.Fields f = yaml.mapping(root, "", "cluster", "host", "role", "overlay", "discovery", "vip",
                    "metrics", "state", "peers", "status", "hub");
            if (f == null) {
                return null;
            }
            OverlayYaml.Fields host = f.mapping("host", "name", "id");
            OverlayYaml.Fields overlay = f.mapping("overlay", "enabled", "cidr", "vip", "vni", "port", "mtu", "underlay",
                    "key", "address");
            OverlayYaml.Fields discovery = f.mapping("discovery", "enabled", "port", "interval");
            OverlayYaml.Fields vip = f.mapping("vip", "health-port");
            List<OverlayYaml.Item> peerItems = f.list("peers");
            List<PeerModel> peers = null;
            if (peerItems != null) {
                peers = new ArrayList<>();
                for (OverlayYaml.Item item : peerItems) {
                    OverlayYaml.Fields p = yaml.mapping(item.node(), item.pointer(), "host", "address", "underlay");
                    peers.add(p == null ? null : new PeerModel(p.text("host"), p.text("address"), p.text("underlay")));
                }
            }
            OverlayYaml.Fields hub = f.mapping("hub", "credentials", "heartbeat");
            return new FileModel(f.text("cluster"),
                    host == null ? null : new HostModel(host.text("name"), host.text("id")),
                    f.text("role"),
                    overlay == null ? null : new OverlayModel(overlay.bool("enabled"), overlay.text("cidr"), overlay.text("vip"),
                            overlay.whole("vni"), overlay.whole("port"), overlay.whole("mtu"), overlay.text("underlay"),
                            overlay.text("key"), overlay.text("address")),
                    discovery == null ? null : new DiscoveryModel(discovery.bool("enabled"), discovery.whole("port"),
                            discovery.text("interval")),
                    vip == null ? null : new VipModel(vip.whole("health-port")),
                    f.text("metrics"), f.text("state"), peers, f.text("status"),
                    hub == null ? null : new HubModel(hub.text("credentials"), hub.text("heartbeat")));
        }
    }

    record HubModel(String credentials, String heartbeat) {}

    record DiscoveryModel(Boolean enabled, Integer port, String interval) {}

    record VipModel(Integer healthPort) {}

    record HostModel(String name, String id) {}

    record OverlayModel(Boolean enabled, String cidr, String vip, Integer vni, Integer port, Integer mtu,
                        String underlay, String key, String address) {}

    record PeerModel(String host, String address, String underlay) {}

    /** Reads and checks {@code file}; {@code host.id} defaults to this machine's /etc/machine-id. */
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

    /** Checks {@code text}, reporting positions against {@code source}; {@code host.id} defaults to /etc/machine-id. */
    public static OverlayConfig parse(Path source, String text) throws OverlayConfigException {
        return parse(source, text, machineId(OverlayConfig.MACHINE_ID));
    }

    /**
     * Checks {@code text}, reporting positions against {@code source}.
     *
     * @param machineId what {@code host.id} defaults to; empty to fall back to {@code host.name}
     */
    public static OverlayConfig parse(Path source, String text, Optional<String> machineId) throws OverlayConfigException {
        OverlayYaml yaml = new OverlayYaml(source);
        Node root = yaml.compose(text);
        if (root == null) {
            throw new OverlayConfigException(List.of(new OverlayConfigException.Problem(source, 1, 1, "",
                    "the file is empty; it needs at least host.name, and overlay.key or peers (see docs/overlay.md)")));
        }
        FileModel model = FileModel.read(yaml, root);
        if (!yaml.problems().isEmpty()) {
            // In the order of the file, as one reads it to fix them.
            throw new OverlayConfigException(yaml.problems().stream()
                    .sorted(Comparator.comparingInt(OverlayConfigException.Problem::line)
                            .thenComparingInt(OverlayConfigException.Problem::column))
                    .toList());
        }
        return new Checker(source, yaml.positions(), machineId).check(model);
    }

    /**
     * The machine id in {@code file} (systemd's /etc/machine-id), empty when the file is missing,
     * empty or still says "uninitialized" (systemd's placeholder before the first boot completes).
     */
    public static Optional<String> machineId(Path file) {
        try {
            String id = Files.readString(file).strip();
            return id.isEmpty() || id.equals("uninitialized") ? Optional.empty() : Optional.of(id);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Turns the mapped model into an {@link OverlayConfig}, collecting every problem with its position. */
    private static final class Checker {
        private final Path source;
        private final Map<String, Mark> positions;
        private final Optional<String> machineId;
        private final List<OverlayConfigException.Problem> problems = new ArrayList<>();

        Checker(Path source, Map<String, Mark> positions, Optional<String> machineId) {
            this.source = source;
            this.positions = positions;
            this.machineId = machineId;
        }

        OverlayConfig check(FileModel m) throws OverlayConfigException {
            String cluster = cluster(m.cluster());
            Host host = host(m.host());
            Role role = Role.WORKER;
            if (m.role() != null) {
                role = Role.parse(m.role()).orElse(null);
                if (role == null) {
                    report("/role", "'" + m.role() + "' is not a role; write control-plane or worker");
                }
            }
            Path status = absolutePath("/status", m.status(), OverlayConfig.DEFAULT_STATUS_FILE);
            Path state = absolutePath("/state", m.state(), OverlayConfig.DEFAULT_STATE_DIRECTORY);
            OverlaySettings settings = null;
            if (m.overlay() == null) {
                report("", "the overlay section is missing; add overlay: with at least key: (for discovery) or address:"
                        + " (see docs/overlay.md)");
            } else {
                settings = settings(m.overlay());
            }
            Discovery discovery = settings == null ? null : discovery(m.discovery(), settings);
            Vip vip = vip(m.vip());
            Optional<InetSocketAddress> metrics = metrics(m.metrics());
            List<StaticPeer> peers = settings == null || host == null ? List.of() : peers(m.peers(), settings, host);
            Optional<OverlayConfig.Hub> hub = hub(m.hub());
            if (!problems.isEmpty()) {
                throw new OverlayConfigException(problems);
            }
            return new OverlayConfig(source, cluster, host, role, settings, discovery, vip, metrics, state, peers, status, hub);
        }

        private String cluster(String name) {
            if (name == null) {
                return OverlayConfig.DEFAULT_CLUSTER;
            }
            if (!DNS_LABEL.matcher(name).matches()) {
                report("/cluster", "'" + name + "' is not a cluster name; use lower-case letters, digits and '-',"
                        + " starting and ending with a letter or digit, at most 63 characters (e.g. store-0042)");
            }
            return name;
        }

        private Path absolutePath(String pointer, String text, Path fallback) {
            if (text == null) {
                return fallback;
            }
            if (text.isBlank() || !text.startsWith("/")) {
                report(pointer, "'" + text + "' is not an absolute path; write e.g. " + fallback);
                return fallback;
            }
            return Path.of(text);
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
            // Announcements carry the name: refuse here what discovery could not send later.
            int nameBytes = h.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (nameBytes > Announcement.MAX_HOST_NAME_BYTES || h.name().chars().anyMatch(Character::isISOControl)) {
                report("/host/name", "host.name must be at most " + Announcement.MAX_HOST_NAME_BYTES
                        + " bytes without control characters; write the host's DNS name, e.g. store-0042-cp1");
                return null;
            }
            if (h.id() != null) {
                String id = h.id().strip();
                if (id.isEmpty() || id.length() > Host.MAX_ID_LENGTH || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    report("/host/id", "'" + h.id() + "' cannot be a host id: write 1 to " + Host.MAX_ID_LENGTH
                            + " printable characters without spaces, or leave it out to use /etc/machine-id");
                    return null;
                }
                return new Host(h.name(), id);
            }
            // A machine id longer than an announcement carries is not systemd's (32 hex digits): use the name.
            Optional<String> fromMachine = machineId.filter(id -> id.length() <= Host.MAX_ID_LENGTH);
            if (fromMachine.isEmpty() && nameBytes > Host.MAX_ID_LENGTH) {
                report("/host/name", "there is no usable /etc/machine-id and host.name is longer than "
                        + Host.MAX_ID_LENGTH + " bytes, so it cannot serve as the host id; set host.id");
                return null;
            }
            return new Host(h.name(), fromMachine.orElse(h.name()));
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
            Optional<Ipv4Address> address = o.address() == null ? Optional.empty()
                    : Optional.ofNullable(parse("/overlay/address", o.address(), Ipv4Address::parse));
            if (problems.size() > before) {
                return null;
            }
            int vni = o.vni() == null ? OverlaySettings.DEFAULT_VNI : o.vni();
            int port = o.port() == null ? OverlaySettings.DEFAULT_PORT : o.port();
            OptionalInt mtu = o.mtu() == null ? OptionalInt.empty() : OptionalInt.of(o.mtu());
            for (OverlaySettings.Problem p : OverlaySettings.problems(cidr, vip, vni, port, mtu, address)) {
                report("/overlay/" + p.field(), p.message());
            }
            if (problems.size() > before) {
                return null;
            }
            return new OverlaySettings(o.enabled() == null || o.enabled(), cidr, vip, vni, port, mtu, underlay, key, address);
        }

        private Discovery discovery(DiscoveryModel d, OverlaySettings settings) {
            boolean keyed = settings.key().isPresent();
            if (d == null) {
                return keyed ? new Discovery(true, Discovery.DEFAULT_PORT, Discovery.DEFAULT_INTERVAL) : Discovery.off();
            }
            boolean enabled = d.enabled() == null ? keyed : d.enabled();
            if (enabled && !keyed) {
                report(d.enabled() == null ? "/discovery" : "/discovery/enabled", "discovery needs the cluster key to"
                        + " authenticate announcements: add overlay.key (the same on every host; make one with:"
                        + " head -c 32 /dev/urandom | base64), or set discovery.enabled: false and list peers");
            }
            int port = Discovery.DEFAULT_PORT;
            if (d.port() != null) {
                port = d.port();
                if (port < 1 || port > 65535) {
                    report("/discovery/port", "port " + port + " is outside 1..65535; leave it out for " + Discovery.DEFAULT_PORT);
                } else if (port == settings.port()) {
                    report("/discovery/port", "port " + port + " is the overlay's VXLAN port (overlay.port); discovery needs"
                            + " its own UDP port, e.g. the default " + Discovery.DEFAULT_PORT);
                } else if (port == MEMBERLIST_PORT) {
                    report("/discovery/port", "port " + port + " is memberlist's (Consul, Serf, MetalLB); it would collide"
                            + " with them. Use the default " + Discovery.DEFAULT_PORT);
                }
            }
            Duration interval = Discovery.DEFAULT_INTERVAL;
            if (d.interval() != null) {
                interval = duration("/discovery/interval", d.interval());
                if (interval != null && (interval.compareTo(Discovery.MIN_INTERVAL) < 0 || interval.compareTo(Discovery.MAX_INTERVAL) > 0)) {
                    report("/discovery/interval", d.interval() + " is outside " + Discovery.MIN_INTERVAL.toMillis() + "ms.."
                            + Discovery.MAX_INTERVAL.toSeconds() + "s; leave it out for " + Discovery.DEFAULT_INTERVAL.toMillis() + "ms");
                }
                interval = interval == null ? Discovery.DEFAULT_INTERVAL : interval;
            }
            return new Discovery(enabled, port, interval);
        }

        /** The optional hub section: where first boot put the hub credentials, and how often to heartbeat. */
        private Optional<OverlayConfig.Hub> hub(HubModel h) {
            if (h == null) {
                return Optional.empty();
            }
            Path credentials = absolutePath("/hub/credentials", h.credentials(), OverlayConfig.Hub.DEFAULT_CREDENTIALS);
            Duration heartbeat = OverlayConfig.Hub.DEFAULT_HEARTBEAT;
            if (h.heartbeat() != null) {
                heartbeat = duration("/hub/heartbeat", h.heartbeat());
                if (heartbeat != null && (heartbeat.compareTo(OverlayConfig.Hub.MIN_HEARTBEAT) < 0
                        || heartbeat.compareTo(OverlayConfig.Hub.MAX_HEARTBEAT) > 0)) {
                    report("/hub/heartbeat", h.heartbeat() + " is outside " + OverlayConfig.Hub.MIN_HEARTBEAT.toSeconds()
                            + "s.." + OverlayConfig.Hub.MAX_HEARTBEAT.toSeconds() + "s; the default is 10s");
                }
            }
            return Optional.of(new OverlayConfig.Hub(credentials, heartbeat == null ? OverlayConfig.Hub.DEFAULT_HEARTBEAT : heartbeat));
        }

        /** {@code 250ms}, {@code 2s}: a whole number with its unit, so nobody guesses which unit was meant. */
        private Duration duration(String pointer, String text) {
            Matcher m = DURATION.matcher(text.strip());
            if (!m.matches()) {
                report(pointer, "'" + text + "' is not a duration; write a whole number with ms or s, e.g. 250ms or 1s");
                return null;
            }
            long value = Long.parseLong(m.group(1));
            return m.group(2).equals("s") ? Duration.ofSeconds(value) : Duration.ofMillis(value);
        }

        private Vip vip(VipModel v) {
            if (v == null || v.healthPort() == null) {
                return Vip.unchecked();
            }
            if (v.healthPort() < 1 || v.healthPort() > 65535) {
                report("/vip/health-port", "port " + v.healthPort() + " is outside 1..65535; write the local TCP port to check,"
                        + " e.g. 2379 (etcd) or 6443 (the API server), or leave it out for no check");
                return Vip.unchecked();
            }
            return new Vip(OptionalInt.of(v.healthPort()));
        }

        private Optional<InetSocketAddress> metrics(String text) {
            if (text == null) {
                return Optional.of(OverlayConfig.DEFAULT_METRICS);
            }
            if (text.equals("off") || text.equals("false")) {
                return Optional.empty();
            }
            Matcher m = LISTEN.matcher(text.strip());
            if (!m.matches()) {
                report("/metrics", "'" + text + "' is not a listen address; write HOST:PORT on loopback, e.g. "
                        + "127.0.0.1:9647, or off");
                return Optional.empty();
            }
            String hostText = m.group(1) != null ? m.group(1) : m.group(2);
            int port = Integer.parseInt(m.group(3));
            InetAddress host;
            try {
                // Literals only (InetAddress does no lookup for them); localhost is resolved here, not by DNS.
                host = hostText.equals("localhost") ? InetAddress.getLoopbackAddress()
                        : hostText.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == ':' || (c >= 'a' && c <= 'f'))
                        && (hostText.contains(".") || hostText.contains(":")) ? InetAddress.getByName(hostText) : null;
            } catch (java.net.UnknownHostException e) {
                host = null;
            }
            if (host == null) {
                report("/metrics", "'" + hostText + "' is not an IP address; write 127.0.0.1:" + port);
                return Optional.empty();
            }
            if (!host.isLoopbackAddress()) {
                report("/metrics", hostText + " is not a loopback address: the metrics endpoint has no authentication,"
                        + " so it listens on this host only. Write 127.0.0.1:" + port + " (scrape it with a local agent)");
                return Optional.empty();
            }
            if (port > 65535) {
                report("/metrics", "port " + port + " is outside 0..65535; write e.g. 127.0.0.1:9647");
                return Optional.empty();
            }
            return Optional.of(new InetSocketAddress(host, port));
        }

        private List<StaticPeer> peers(List<PeerModel> models, OverlaySettings settings, Host host) {
            if (models == null) {
                return List.of();
            }
            List<StaticPeer> out = new ArrayList<>();
            Set<String> names = new HashSet<>(Set.of(host.name()));
            Set<Ipv4Address> overlays = new HashSet<>(Set.of(settings.vip()));
            settings.address().ifPresent(overlays::add);
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
                                : settings.address().filter(address::equals).isPresent() ? " is this host's own address"
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
            Mark at = positions.get(pointer);
            // A missing key has no position of its own: report it at its parent, or the file start.
            for (String p = pointer; at == null && !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
                at = positions.get(p.substring(0, p.lastIndexOf('/')));
            }
            problems.add(new OverlayConfigException.Problem(source, at == null ? 1 : at.getLine() + 1,
                    at == null ? 1 : at.getColumn() + 1, OverlayYaml.key(pointer), message));
        }
    }
}
