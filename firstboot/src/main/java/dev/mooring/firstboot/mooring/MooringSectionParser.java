package dev.mooring.firstboot.mooring;

import dev.mooring.firstboot.mooring.ClusterSpec.Role;
import dev.mooring.firstboot.mooring.KubernetesSpec.Distribution;
import dev.mooring.firstboot.mooring.Registration.CertificateAuthority;
import dev.mooring.firstboot.yaml.KeySuggestion;
import dev.mooring.firstboot.yaml.MappingFields;
import dev.mooring.firstboot.yaml.NodeReader;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.ClusterKey;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.config.UnderlaySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Parses the {@code mooring:} section. Overlay values go through overlay-service's own parsers and
 * its {@link OverlaySettings#problems} rules, so user-data is refused for exactly what would make
 * the overlay service refuse to start, and the problem is shown at the field's line.
 */
public final class MooringSectionParser {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern K8S_VERSION = Pattern.compile("v\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.+-]+)?");
    private static final String KEY_HINT = "make one with: head -c 32 /dev/urandom | base64";

    private final NodeReader reader;

    private MooringSectionParser(NodeReader reader) {
        this.reader = reader;
    }

    /** The section's typed form; empty when it has errors (all of them reported). */
    public static Optional<MooringConfig> parse(Node node, NodeReader reader) {
        return new MooringSectionParser(reader).section(node);
    }

    private Optional<MooringConfig> section(Node node) {
        int errorsBefore = reader.findings().errorCount();
        Optional<MappingNode> mapping = reader.mapping(node, "mooring");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "mooring", Set.of("registration", "cluster", "overlay", "kubernetes"), Set.of());
        Optional<Registration> registration = f.value("registration").flatMap(this::registration);
        Optional<ClusterSpec> cluster = f.value("cluster").flatMap(this::cluster);
        Optional<Node> overlayNode = f.value("overlay");
        Optional<OverlaySettings> overlay = overlayNode.flatMap(this::overlay);
        Optional<KubernetesSpec> kubernetes = f.value("kubernetes").flatMap(this::kubernetes);
        f.finish();
        overlay.ifPresent(o -> {
            if (o.enabled() && o.key().isEmpty() && !f.has("registration")) {
                reader.error(overlayNode.orElseThrow(), "mooring.overlay has no key and there is no mooring.registration to hand one out",
                        "add key: with the same value on every host of the cluster (" + KEY_HINT + "), or add mooring.registration");
            }
        });
        if (reader.findings().errorCount() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new MooringConfig(registration, cluster, overlay, kubernetes));
    }

    private Optional<Registration> registration(Node node) {
        Optional<MappingNode> mapping = reader.mapping(node, "mooring.registration");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "mooring.registration", Set.of("url", "token", "ca"), Set.of());
        Optional<URI> url = f.required("url", "add url: https://hub.example.com").flatMap(n -> hubUrl(n, f.path("url")));
        Optional<String> token = f.required("token", "add token: with the token the hub printed for this cluster")
                .flatMap(n -> secretToken(n, f.path("token")));
        Optional<Node> caNode = f.value("ca");
        Optional<CertificateAuthority> ca = caNode.flatMap(n -> certificateAuthority(n, f.path("ca")));
        f.finish();
        if (url.isEmpty() || token.isEmpty() || (caNode.isPresent() && ca.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new Registration(url.get(), token.get(), ca));
    }

    private Optional<URI> hubUrl(Node node, String what) {
        Optional<String> text = reader.nonBlankString(node, what);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(text.get());
        } catch (URISyntaxException e) {
            reader.error(node, what + ": '" + text.get() + "' is not a URL (" + e.getReason() + ")", "write it like https://hub.example.com:8443");
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            reader.error(node, what + ": '" + text.get() + "' is not an http or https URL", "write it like https://hub.example.com:8443");
            return Optional.empty();
        }
        if (uri.getHost() == null) {
            reader.error(node, what + ": '" + text.get() + "' has no host name", "write it like https://hub.example.com:8443");
            return Optional.empty();
        }
        if (scheme.equals("http")) {
            reader.warning(node, what + " uses http: the registration token crosses the network unencrypted", "use https");
        }
        return Optional.of(uri);
    }

    private Optional<String> secretToken(Node node, String what) {
        Optional<String> token = reader.nonBlankString(node, what);
        if (token.isPresent() && token.get().chars().anyMatch(Character::isWhitespace)) {
            reader.error(node, what + " contains whitespace", "copy the token exactly, without spaces or line breaks");
            return Optional.empty();
        }
        return token;
    }

    private Optional<CertificateAuthority> certificateAuthority(Node node, String what) {
        Optional<String> text = reader.nonBlankString(node, what);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String ca = text.get().strip();
        if (ca.startsWith("-----BEGIN")) {
            if (!ca.startsWith("-----BEGIN CERTIFICATE-----") || !ca.contains("-----END CERTIFICATE-----")) {
                reader.error(node, what + " is not a PEM certificate", "paste the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, as a literal block (ca: |)");
                return Optional.empty();
            }
            return Optional.of(new CertificateAuthority.Pem(ca + "\n"));
        }
        if (ca.startsWith("/")) {
            return Optional.of(new CertificateAuthority.File(Path.of(ca)));
        }
        reader.error(node, what + " is neither a PEM certificate nor an absolute file path",
                "paste the certificate (-----BEGIN CERTIFICATE----- ...) as a literal block, or give the path of a PEM file on the device");
        return Optional.empty();
    }

    private Optional<ClusterSpec> cluster(Node node) {
        Optional<MappingNode> mapping = reader.mapping(node, "mooring.cluster");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "mooring.cluster", Set.of("name", "role", "bootstrap"), Set.of());
        Optional<String> name = f.required("name", "add name: with the cluster's name, e.g. store-0042").flatMap(n -> reader.string(n, f.path("name")).filter(v -> {
            if (!DNS_LABEL.matcher(v).matches()) {
                reader.error(n, f.path("name") + ": '" + v + "' is not a DNS-1123 label",
                        "use lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters");
                return false;
            }
            return true;
        }));
        Optional<Node> roleNode = f.value("role");
        Optional<Role> role = roleNode.isEmpty() ? Optional.of(Role.WORKER)
                : choice(roleNode.get(), f.path("role"), Role.values(), Role::yamlName);
        Optional<Node> bootstrapNode = f.value("bootstrap");
        Optional<Boolean> bootstrap = bootstrapNode.isEmpty() ? Optional.of(false) : reader.bool(bootstrapNode.get(), f.path("bootstrap"));
        f.finish();
        if (name.isEmpty() || role.isEmpty() || bootstrap.isEmpty()) {
            return Optional.empty();
        }
        if (bootstrap.get() && role.get() != Role.CONTROL_PLANE) {
            reader.error(bootstrapNode.orElseThrow(), "mooring.cluster.bootstrap is true but the role is " + role.get().yamlName()
                    + ": only a control-plane host creates the cluster", "set role: control-plane, or remove bootstrap: true");
            return Optional.empty();
        }
        return Optional.of(new ClusterSpec(name.get(), role.get(), bootstrap.get()));
    }

    private Optional<KubernetesSpec> kubernetes(Node node) {
        Optional<MappingNode> mapping = reader.mapping(node, "mooring.kubernetes");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "mooring.kubernetes", Set.of("distribution", "token", "version", "control-plane-count"), Set.of());
        Optional<Distribution> distribution = f.required("distribution", "add distribution: k3s, kubeadm or etcd")
                .flatMap(n -> choice(n, f.path("distribution"), Distribution.values(), Distribution::yamlName));
        Optional<Node> tokenNode = f.value("token");
        Optional<String> token = tokenNode.flatMap(n -> secretToken(n, f.path("token")));
        Optional<Node> versionNode = f.value("version");
        Optional<String> version = versionNode.flatMap(n -> reader.string(n, f.path("version")).filter(v -> {
            if (!K8S_VERSION.matcher(v).matches()) {
                reader.error(n, f.path("version") + ": '" + v + "' is not a Kubernetes version", "write it like v1.31.4 (or v1.31.4+k3s1 for k3s)");
                return false;
            }
            return true;
        }));
        Optional<Node> countNode = f.value("control-plane-count");
        Optional<Long> count = countNode.flatMap(n -> reader.integer(n, f.path("control-plane-count"), 1, KubernetesSpec.MAX_CONTROL_PLANE_COUNT));
        countNode.ifPresent(n -> count.filter(c -> c % 2 == 0).ifPresent(c -> reader.warning(n, f.path("control-plane-count") + ": " + c
                + " control-plane hosts tolerate no more failures than " + (c - 1), "use an odd number (1, 3, 5) for etcd's quorum")));
        f.finish();
        if (distribution.isEmpty() || (tokenNode.isPresent() && token.isEmpty()) || (versionNode.isPresent() && version.isEmpty())
                || (countNode.isPresent() && count.isEmpty())) {
            return Optional.empty();
        }
        if (version.isPresent() && version.get().contains("+k3s") && distribution.get() != Distribution.K3S) {
            reader.error(versionNode.orElseThrow(), f.path("version") + ": " + version.get() + " is a k3s release but the distribution is "
                    + distribution.get().yamlName(), "write the upstream version, e.g. " + version.get().substring(0, version.get().indexOf('+')));
            return Optional.empty();
        }
        return Optional.of(new KubernetesSpec(distribution.get(), token, version, count.map(Long::intValue).orElse(1)));
    }

    private Optional<OverlaySettings> overlay(Node node) {
        Optional<MappingNode> mapping = reader.mapping(node, "mooring.overlay");
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        MappingFields f = reader.fields(mapping.get(), "mooring.overlay",
                Set.of("enabled", "cidr", "vip", "vni", "port", "mtu", "underlay", "key", "address"), Set.of());
        Set<String> failed = new HashSet<>();
        Optional<Node> enabledNode = f.value("enabled");
        Optional<Boolean> enabled = enabledNode.isEmpty() ? Optional.of(true) : reader.bool(enabledNode.get(), f.path("enabled"));
        if (enabled.isEmpty()) {
            failed.add("enabled");
        }
        Cidr cidr = shared(f, "cidr", Cidr::parse, failed).orElse(OverlaySettings.DEFAULT_CIDR);
        Optional<Ipv4Address> vip = shared(f, "vip", Ipv4Address::parse, failed);
        int vni = intField(f, "vni", failed).orElse(OverlaySettings.DEFAULT_VNI);
        int port = intField(f, "port", failed).orElse(OverlaySettings.DEFAULT_PORT);
        OptionalInt mtu = intField(f, "mtu", failed).map(OptionalInt::of).orElse(OptionalInt.empty());
        UnderlaySelector underlay = shared(f, "underlay", UnderlaySelector::parse, failed).orElse(new UnderlaySelector.Auto());
        Optional<ClusterKey> key = shared(f, "key", ClusterKey::parse, failed);
        Optional<Ipv4Address> address = shared(f, "address", Ipv4Address::parse, failed);
        f.finish();
        // Without a usable CIDR the address rules cannot be judged, but the range rules still can.
        if (failed.contains("cidr")) {
            failed.addAll(Set.of("vip", "address"));
        }
        Ipv4Address effectiveVip = vip.orElse(cidr.firstUsable());
        List<OverlaySettings.Problem> problems = OverlaySettings.problems(cidr, effectiveVip, vni, port, mtu, address).stream()
                .filter(p -> !failed.contains(p.field()))
                .toList();
        for (OverlaySettings.Problem problem : problems) {
            Node at = f.value(problem.field()).orElse(mapping.get());
            reader.error(at, f.path(problem.field()) + ": " + problem.message(), problemHint(problem.field()));
        }
        if (!failed.isEmpty() || !problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new OverlaySettings(enabled.orElseThrow(), cidr, effectiveVip, vni, port, mtu, underlay, key, address));
    }

    private static String problemHint(String field) {
        return switch (field) {
            case "cidr" -> "write a network of /" + OverlaySettings.SHORTEST_PREFIX + " to /" + OverlaySettings.LONGEST_PREFIX
                    + ", e.g. the default " + OverlaySettings.DEFAULT_CIDR;
            case "vip", "address" -> "pick a host address inside the overlay CIDR";
            case "vni" -> "pick a VNI from 1 to " + OverlaySettings.MAX_VNI + " (the default is " + OverlaySettings.DEFAULT_VNI + ")";
            case "port" -> "leave it out to use " + OverlaySettings.DEFAULT_PORT;
            case "mtu" -> "leave it out to use the underlay MTU minus " + OverlaySettings.VXLAN_OVERHEAD;
            default -> "fix the value";
        };
    }

    /** A string field parsed by one of overlay-service's parsers; their message says what to write. */
    private <T> Optional<T> shared(MappingFields f, String field, Function<String, T> parse, Set<String> failed) {
        Optional<Node> node = f.value(field);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> text = reader.string(node.get(), f.path(field));
        if (text.isEmpty()) {
            failed.add(field);
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(text.get()));
        } catch (InvalidAddressException e) {
            failed.add(field);
            reader.error(node.get(), f.path(field) + ": " + e.getMessage(), sharedHint(field));
            return Optional.empty();
        }
    }

    private static String sharedHint(String field) {
        return switch (field) {
            case "cidr" -> "write the network address and prefix, e.g. " + OverlaySettings.DEFAULT_CIDR;
            case "vip", "address" -> "write an IPv4 address inside the overlay CIDR, e.g. " + OverlaySettings.DEFAULT_CIDR.firstUsable();
            case "underlay" -> "write auto, an interface name (eth0), a glob (en*) or a CIDR (198.51.100.0/24)";
            case "key" -> KEY_HINT + ", and use the same key on every host of the cluster";
            default -> "fix the value";
        };
    }

    /** An integer field; out-of-int values fail here, range rules are OverlaySettings' own. */
    private Optional<Integer> intField(MappingFields f, String field, Set<String> failed) {
        Optional<Node> node = f.value(field);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        Optional<Long> value = reader.integer(node.get(), f.path(field), Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (value.isEmpty()) {
            failed.add(field);
        }
        return value.map(Long::intValue);
    }

    private <E extends Enum<E>> Optional<E> choice(Node node, String what, E[] values, Function<E, String> yamlName) {
        Optional<String> text = reader.string(node, what);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        for (E value : values) {
            if (yamlName.apply(value).equals(text.get())) {
                return Optional.of(value);
            }
        }
        List<String> names = Arrays.stream(values).map(yamlName).toList();
        reader.error(node, what + ": '" + text.get() + "' is not one of " + String.join(", ", names),
                KeySuggestion.closest(text.get(), names).map(s -> "did you mean '" + s + "'?").orElse("write one of " + String.join(", ", names)));
        return Optional.empty();
    }
}
