package dev.mooring.firstboot.network;

import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.network.Ethernet.Match;
import dev.mooring.firstboot.network.Ethernet.Nameservers;
import dev.mooring.firstboot.yaml.MappingFields;
import dev.mooring.firstboot.yaml.NodeReader;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses a network-config version 2 document ({@code network: {version: 2, ...}} or the same
 * keys at the top level) for the underlay. Ethernets are checked strictly; bonds, bridges, vlans
 * and wifis are accepted with a warning because Mooring does not configure them.
 */
public final class NetworkConfigParser {

    private static final Set<String> APPLIED_TOP = Set.of("version", "ethernets");
    private static final Set<String> NOT_APPLIED_TOP = Set.of("renderer", "bonds", "bridges", "vlans", "wifis");
    private static final Set<String> APPLIED_ETHERNET = Set.of("match", "set-name", "dhcp4", "addresses", "gateway4",
            "routes", "nameservers", "mtu");
    private static final Set<String> APPLIED_MATCH = Set.of("name", "macaddress");
    private static final Cidr DEFAULT_ROUTE = Cidr.parse("0.0.0.0/0");
    private static final String V2_HINT = "write version 2 (netplan syntax), see docs/userdata.md";

    private final NodeReader reader;
    private final CloudInitKeys keys;

    private NetworkConfigParser(NodeReader reader, CloudInitKeys keys) {
        this.reader = reader;
        this.keys = keys;
    }

    /** The document's typed form; empty when it has errors (all of them reported). */
    public static Optional<NetworkConfig> parse(Node root, NodeReader reader, CloudInitKeys keys) {
        return new NetworkConfigParser(reader, keys).document(root);
    }

    private Optional<NetworkConfig> document(Node root) {
        int errorsBefore = reader.findings().errorCount();
        Optional<MappingNode> top = reader.mapping(root, "network-config");
        if (top.isEmpty()) {
            return Optional.empty();
        }
        MappingNode body = top.get();
        String path = "";
        if (top.get().getValue().stream().anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("network"))) {
            MappingFields wrapper = reader.fields(top.get(), "", Set.of("network"), Set.of());
            Optional<MappingNode> inner = reader.mapping(wrapper.value("network").orElseThrow(), "network");
            wrapper.finish();
            if (inner.isEmpty()) {
                return Optional.empty();
            }
            body = inner.get();
            path = "network";
        }
        MappingFields f = reader.fields(body, path, APPLIED_TOP, NOT_APPLIED_TOP);
        Optional<Node> version = f.required("version", "add version: 2 as the first key");
        if (version.isEmpty() || !isVersion2(version.get())) {
            // The rest of a version 1 document is another language; listing its keys would only confuse.
            return Optional.empty();
        }
        List<Ethernet> ethernets = f.value("ethernets").map(n -> ethernets(n, f.path("ethernets"))).orElse(List.of());
        f.finish();
        if (reader.findings().errorCount() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new NetworkConfig(ethernets));
    }

    private boolean isVersion2(Node node) {
        Optional<Long> version = reader.integer(node, "network-config version");
        if (version.isPresent() && version.get() == 1) {
            reader.error(node, "network-config version 1 is not supported by Mooring", V2_HINT);
        } else if (version.isPresent() && version.get() != 2) {
            reader.error(node, "network-config version " + version.get() + " does not exist", V2_HINT);
        }
        return version.isPresent() && version.get() == 2;
    }

    private List<Ethernet> ethernets(Node node, String path) {
        if (NodeReader.isNull(node)) {
            return List.of();
        }
        List<Ethernet> out = new ArrayList<>();
        reader.mapping(node, path).ifPresent(mapping -> {
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key) || !key.getTag().equals(Tag.STR)) {
                    reader.error(tuple.getKeyNode(), "the ethernet id " + NodeReader.describe(tuple.getKeyNode()) + " is not a name",
                            "name the entry after the interface (eth0) or a role (uplink); quote it if it is a number");
                    continue;
                }
                ethernet(key.getValue(), tuple.getValueNode(), path + "." + key.getValue()).ifPresent(out::add);
            }
        });
        return out;
    }

    private Optional<Ethernet> ethernet(String id, Node node, String path) {
        int errorsBefore = reader.findings().errorCount();
        if (NodeReader.isNull(node)) {
            return Optional.of(new Ethernet(id, Optional.empty(), Optional.empty(), false, List.of(), Optional.empty(),
                    List.of(), Nameservers.NONE, OptionalInt.empty()));
        }
        Optional<MappingNode> mapping = reader.mapping(node, path);
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), path, APPLIED_ETHERNET, keys.notApplied("ethernet", APPLIED_ETHERNET));
        Optional<Match> match = f.value("match").flatMap(n -> match(n, f.path("match")));
        Optional<Node> setNameNode = f.value("set-name");
        Optional<String> setName = setNameNode.flatMap(n -> reader.nonBlankString(n, f.path("set-name")));
        if (setNameNode.isPresent() && !f.has("match")) {
            reader.error(setNameNode.get(), f.path("set-name") + " needs a match: to say which NIC to rename",
                    "add match: with the NIC's macaddress");
        }
        boolean dhcp4 = f.value("dhcp4").flatMap(n -> dhcp(n, f.path("dhcp4"))).orElse(false);
        List<InterfaceAddress> addresses = f.value("addresses").map(n -> addresses(n, f.path("addresses"))).orElse(List.of());
        Optional<Ipv4Address> gateway4 = f.value("gateway4").flatMap(n -> address(n, f.path("gateway4"), Ipv4Address::parse));
        List<StaticRoute> routes = f.value("routes").map(n -> routes(n, f.path("routes"))).orElse(List.of());
        Nameservers nameservers = f.value("nameservers").map(n -> nameservers(n, f.path("nameservers"))).orElse(Nameservers.NONE);
        OptionalInt mtu = f.value("mtu").flatMap(n -> reader.integer(n, f.path("mtu"), 68, 65535))
                .map(v -> OptionalInt.of(v.intValue())).orElse(OptionalInt.empty());
        f.finish();
        if (reader.findings().errorCount() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new Ethernet(id, match, setName, dhcp4, addresses, gateway4, routes, nameservers, mtu));
    }

    private Optional<Match> match(Node node, String path) {
        Optional<MappingNode> mapping = reader.mapping(node, path);
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), path, APPLIED_MATCH, keys.notApplied("ethernet.match", APPLIED_MATCH));
        Optional<String> name = f.value("name").flatMap(n -> reader.nonBlankString(n, f.path("name")));
        Optional<MacAddress> mac = f.value("macaddress").flatMap(n -> address(n, f.path("macaddress"), MacAddress::parse));
        f.finish();
        if (name.isEmpty() && mac.isEmpty() && !f.has("driver")) {
            reader.error(node, path + " matches every NIC", "add name: (a glob such as en*) or macaddress:");
        }
        return Optional.of(new Match(name, mac));
    }

    /** dhcp4 is a boolean; netplan also reads the strings yes/no/true/false. */
    private Optional<Boolean> dhcp(Node node, String what) {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.STR)) {
            switch (s.getValue().toLowerCase(Locale.ROOT)) {
                case "yes", "true" -> {
                    return Optional.of(true);
                }
                case "no", "false" -> {
                    return Optional.of(false);
                }
                default -> { }
            }
        }
        return reader.bool(node, what);
    }

    private List<InterfaceAddress> addresses(Node node, String path) {
        List<InterfaceAddress> out = new ArrayList<>();
        reader.sequence(node, path).ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String what = path + "[" + i + "]";
                reader.string(item, what).ifPresent(text -> {
                    if (isIpv6(text)) {
                        reader.warning(item, what + ": the IPv6 address " + text + " is not applied by Mooring", "Mooring configures IPv4 on the underlay");
                    } else {
                        address(item, what, InterfaceAddress::parse).ifPresent(out::add);
                    }
                });
            }
        });
        return out;
    }

    private List<StaticRoute> routes(Node node, String path) {
        List<StaticRoute> out = new ArrayList<>();
        reader.sequence(node, path).ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                String what = path + "[" + i + "]";
                reader.mapping(seq.getValue().get(i), what).flatMap(m -> route(m, what)).ifPresent(out::add);
            }
        });
        return out;
    }

    private Optional<StaticRoute> route(MappingNode node, String path) {
        MappingFields f = reader.fields(node, path, Set.of("to", "via", "metric"), Set.of());
        Optional<Node> toNode = f.required("to", "add to: with the destination network, or to: default");
        Optional<String> toText = toNode.flatMap(n -> reader.string(n, f.path("to")));
        Optional<Node> viaNode = f.value("via");
        Optional<String> viaText = viaNode.flatMap(n -> reader.string(n, f.path("via")));
        Optional<Long> metric = f.value("metric").flatMap(n -> reader.integer(n, f.path("metric"), 0, 0xffff_ffffL));
        f.finish();
        if (toText.isEmpty()) {
            return Optional.empty();
        }
        if (isIpv6(toText.get()) || viaText.filter(NetworkConfigParser::isIpv6).isPresent()) {
            reader.warning(node, path + ": IPv6 routes are not applied by Mooring", "Mooring configures IPv4 on the underlay");
            return Optional.empty();
        }
        Optional<Cidr> to = toText.get().equals("default") ? Optional.of(DEFAULT_ROUTE) : address(toNode.get(), f.path("to"), Cidr::parse);
        Optional<Ipv4Address> via = viaText.isEmpty() ? Optional.empty() : address(viaNode.orElseThrow(), f.path("via"), Ipv4Address::parse);
        if (to.isEmpty() || (viaNode.isPresent() && via.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new StaticRoute(to.get(), via, metric.map(OptionalLong::of).orElse(OptionalLong.empty())));
    }

    private Nameservers nameservers(Node node, String path) {
        Optional<MappingNode> mapping = reader.mapping(node, path);
        if (mapping.isEmpty()) {
            return Nameservers.NONE;
        }
        MappingFields f = reader.fields(mapping.get(), path, Set.of("addresses", "search"), Set.of());
        List<Ipv4Address> addresses = new ArrayList<>();
        f.value("addresses").flatMap(n -> reader.sequence(n, f.path("addresses"))).ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String what = f.path("addresses") + "[" + i + "]";
                reader.string(item, what).ifPresent(text -> {
                    if (isIpv6(text)) {
                        reader.warning(item, what + ": the IPv6 name server " + text + " is not applied by Mooring", "add an IPv4 name server");
                    } else {
                        address(item, what, Ipv4Address::parse).ifPresent(addresses::add);
                    }
                });
            }
        });
        List<String> search = f.value("search").flatMap(n -> reader.strings(n, f.path("search"))).orElse(List.of());
        f.finish();
        return new Nameservers(addresses, search);
    }

    /** Parses with one of the shared address parsers, reporting its message at the node. */
    private <T> Optional<T> address(Node node, String what, Function<String, T> parse) {
        Optional<String> text = reader.string(node, what);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(text.get()));
        } catch (InvalidAddressException e) {
            reader.error(node, what + ": " + e.getMessage(), "fix the address");
            return Optional.empty();
        }
    }

    private static boolean isIpv6(String text) {
        return text.contains(":") && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '/' || c == '.');
    }
}
