package dev.mooring.firstboot.yaml;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The keys of one mapping, taken one by one by a section parser. {@link #finish()} then reports
 * what is left: keys that cloud-init knows but Mooring does not apply get a warning, any other key
 * an error with the closest known key as a suggestion.
 */
public final class MappingFields {

    private final NodeReader reader;
    private final MappingNode node;
    private final String path;
    private final Set<String> applied;
    private final Set<String> acceptedNotApplied;
    private final Map<String, NodeTuple> byKey = new LinkedHashMap<>();
    private final Set<String> taken = new HashSet<>();

    MappingFields(NodeReader reader, MappingNode node, String path, Set<String> applied, Set<String> acceptedNotApplied) {
        this.reader = reader;
        this.node = node;
        this.path = path;
        this.applied = applied;
        this.acceptedNotApplied = acceptedNotApplied;
        for (NodeTuple tuple : node.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getTag().equals(Tag.STR)) {
                byKey.putIfAbsent(key.getValue(), tuple);
            } else {
                reader.error(tuple.getKeyNode(), where() + " has a key that is not a name: " + NodeReader.describe(tuple.getKeyNode()),
                        "keys are names; quote it if it is one: '" + keyText(tuple.getKeyNode()) + "'");
            }
        }
    }

    public MappingNode node() {
        return node;
    }

    /** The path of a key below this mapping, for messages: {@code mooring.overlay.cidr}. */
    public String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public boolean has(String key) {
        return byKey.containsKey(key);
    }

    /** The value of {@code key}, marking the key as handled. */
    public Optional<Node> value(String key) {
        NodeTuple tuple = byKey.get(key);
        if (tuple == null) {
            return Optional.empty();
        }
        taken.add(key);
        return Optional.of(tuple.getValueNode());
    }

    /**
     * The value of {@code key} or of its old spelling (cloud-init still reads {@code lock-passwd});
     * the old spelling gets a warning, both together an error.
     */
    public Optional<Node> value(String key, String oldSpelling) {
        Optional<Node> current = value(key);
        Optional<Node> old = value(oldSpelling);
        if (old.isPresent()) {
            Node oldKey = keyNode(oldSpelling).orElseThrow();
            if (current.isPresent()) {
                reader.error(oldKey, path(oldSpelling) + " repeats " + path(key), "keep only " + key);
            } else {
                reader.warning(oldKey, path(oldSpelling) + " is a deprecated spelling", "write " + key + " instead");
                return old;
            }
        }
        return current;
    }

    /** The value, reporting an error at the mapping when it is missing. */
    public Optional<Node> required(String key, String hint) {
        Optional<Node> v = value(key);
        if (v.isEmpty()) {
            reader.error(node, where() + " has no " + key, hint);
        }
        return v;
    }

    /** The key's own node (for positions), if present. */
    public Optional<Node> keyNode(String key) {
        return Optional.ofNullable(byKey.get(key)).map(NodeTuple::getKeyNode);
    }

    /** Reports every key not taken: a warning when cloud-init knows it, else an error. */
    public void finish() {
        for (Map.Entry<String, NodeTuple> entry : byKey.entrySet()) {
            String key = entry.getKey();
            if (taken.contains(key)) {
                continue;
            }
            Node keyNode = entry.getValue().getKeyNode();
            if (acceptedNotApplied.contains(key)) {
                reader.warning(keyNode, path(key) + " is not applied by Mooring",
                        "cloud-init applies it; Mooring accepts it so the same user-data works with both, and ignores it");
            } else {
                Set<String> known = new TreeSet<>(applied);
                known.addAll(acceptedNotApplied);
                String hint = KeySuggestion.closest(key, known)
                        .map(s -> "did you mean '" + s + "'?")
                        .orElse(known.size() <= 12 ? "the keys allowed here are: " + String.join(", ", known)
                                : "check the spelling: docs/userdata.md lists the keys Mooring applies, cloud-init's documentation the others");
                reader.error(keyNode, "unknown key '" + key + "' in " + where(), hint);
            }
        }
    }

    private String where() {
        return path.isEmpty() ? "the cloud-config" : path;
    }

    private static String keyText(Node key) {
        return key instanceof ScalarNode s ? s.getValue() : "...";
    }
}
