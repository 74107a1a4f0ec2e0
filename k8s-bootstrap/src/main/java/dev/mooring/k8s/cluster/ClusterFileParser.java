package dev.mooring.k8s.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code cluster.yaml} in the format docs/contracts.md fixes. Unknown keys are refused (a
 * typo must not silently become a default); every error carries the file, line and column.
 */
public final class ClusterFileParser {

    private static final Set<String> TOP = Set.of("version", "cluster", "host", "role", "bootstrap", "kubernetes");
    private static final Set<String> KUBERNETES = Set.of("distribution", "version", "token", "control-plane-count");
    // A DNS label: the cluster name and the host name end up in node names and etcd member names.
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private ClusterFileParser() {}

    public static ClusterFile read(Path file) throws IOException, ClusterFileException {
        return parse(file, Files.readString(file));
    }

    public static ClusterFile parse(Path file, String text) throws ClusterFileException {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new ClusterFileException(file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1,
                    "not valid YAML: " + e.getProblem() + "; fix the syntax (see docs/contracts.md for the format)");
        }
        if (!(root instanceof MappingNode top)) {
            throw new ClusterFileException(file, "expected a mapping with version, cluster, host, role, bootstrap and kubernetes"
                    + " (docs/contracts.md)");
        }
        Map<String, NodeTuple> fields = fields(file, top, TOP, "");
        int version = integer(file, required(file, top, fields, "version", ""), "version");
        if (version != ClusterFile.VERSION) {
            throw error(file, fields.get("version").getValueNode(), "version: this mooring reads version " + ClusterFile.VERSION
                    + ", the file says " + version + "; write version: 1 or use the mooring that wrote it");
        }
        String cluster = label(file, required(file, top, fields, "cluster", ""), "cluster");
        String host = label(file, required(file, top, fields, "host", ""), "host");
        Node roleNode = required(file, top, fields, "role", "");
        ClusterFile.Role role = ClusterFile.Role.parse(scalar(file, roleNode, "role")).orElseThrow(() ->
                error(file, roleNode, "role: expected control-plane or worker, got '" + ((ScalarNode) roleNode).getValue() + "'"));
        boolean bootstrap = fields.containsKey("bootstrap") && bool(file, fields.get("bootstrap").getValueNode(), "bootstrap");
        if (bootstrap && role != ClusterFile.Role.CONTROL_PLANE) {
            throw error(file, fields.get("bootstrap").getValueNode(),
                    "bootstrap: a worker cannot initialise the cluster; set bootstrap: true on one control-plane host only");
        }
        Node k8sNode = required(file, top, fields, "kubernetes", "");
        if (!(k8sNode instanceof MappingNode k8s)) {
            throw error(file, k8sNode, "kubernetes: expected a mapping with distribution (k3s, kubeadm or etcd)");
        }
        Map<String, NodeTuple> k = fields(file, k8s, KUBERNETES, "kubernetes.");
        Node distNode = required(file, k8s, k, "distribution", "kubernetes.");
        ClusterFile.Distribution distribution = ClusterFile.Distribution.parse(scalar(file, distNode, "kubernetes.distribution"))
                .orElseThrow(() -> error(file, distNode, "kubernetes.distribution: expected k3s, kubeadm or etcd, got '"
                        + ((ScalarNode) distNode).getValue() + "'"));
        Optional<String> kversion = optionalText(file, k, "version", "kubernetes.version");
        Optional<String> token = optionalText(file, k, "token", "kubernetes.token");
        int count = 1;
        if (k.containsKey("control-plane-count")) {
            Node n = k.get("control-plane-count").getValueNode();
            count = integer(file, n, "kubernetes.control-plane-count");
            if (count < 1 || count > 9) {
                throw error(file, n, "kubernetes.control-plane-count: expected 1..9 (etcd clusters are small and odd: 1, 3 or 5), got " + count);
            }
        }
        return new ClusterFile(version, cluster, host, role, bootstrap,
                new ClusterFile.Kubernetes(distribution, kversion, token, count));
    }

    private static Map<String, NodeTuple> fields(Path file, MappingNode map, Set<String> allowed, String prefix)
            throws ClusterFileException {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            String key = scalar(file, t.getKeyNode(), prefix + "(key)");
            if (!allowed.contains(key)) {
                throw error(file, t.getKeyNode(), prefix + key + ": unknown key; expected one of "
                        + allowed.stream().sorted().map(a -> prefix + a).toList() + " (docs/contracts.md)");
            }
            out.put(key, t);
        }
        return out;
    }

    private static Node required(Path file, MappingNode map, Map<String, NodeTuple> fields, String key, String prefix)
            throws ClusterFileException {
        NodeTuple t = fields.get(key);
        if (t == null) {
            throw error(file, map, prefix + key + ": missing; add it (docs/contracts.md shows every key)");
        }
        return t.getValueNode();
    }

    private static String scalar(Path file, Node node, String what) throws ClusterFileException {
        if (!(node instanceof ScalarNode s)) {
            throw error(file, node, what + ": expected a single value, not a list or mapping");
        }
        return s.getValue();
    }

    private static String label(Path file, Node node, String what) throws ClusterFileException {
        String v = scalar(file, node, what);
        if (!LABEL.matcher(v).matches()) {
            throw error(file, node, what + ": '" + v + "' is not a DNS label (lower-case letters, digits and '-', at most 63,"
                    + " not starting or ending with '-'); it names nodes and etcd members");
        }
        return v;
    }

    private static int integer(Path file, Node node, String what) throws ClusterFileException {
        String v = scalar(file, node, what);
        if (!((ScalarNode) node).getTag().equals(Tag.INT)) {
            throw error(file, node, what + ": expected a whole number, got '" + v + "'");
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw error(file, node, what + ": expected a whole number, got '" + v + "'");
        }
    }

    private static boolean bool(Path file, Node node, String what) throws ClusterFileException {
        String v = scalar(file, node, what);
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(file, node, what + ": expected true or false, got '" + v + "'");
        };
    }

    private static Optional<String> optionalText(Path file, Map<String, NodeTuple> fields, String key, String what)
            throws ClusterFileException {
        NodeTuple t = fields.get(key);
        if (t == null) {
            return Optional.empty();
        }
        String v = scalar(file, t.getValueNode(), what);
        if (v.isBlank() || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw error(file, t.getValueNode(), what + ": expected a non-empty value without control characters; remove the key to leave it unset");
        }
        return Optional.of(v);
    }

    private static ClusterFileException error(Path file, Node node, String message) {
        Mark m = node.getStartMark();
        return new ClusterFileException(file, m.getLine() + 1, m.getColumn() + 1, message);
    }
}
