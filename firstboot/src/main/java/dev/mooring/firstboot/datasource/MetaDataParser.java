package dev.mooring.firstboot.datasource;

import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.Source;
import dev.mooring.firstboot.yaml.YamlDocument;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads NoCloud meta-data ({@code instance-id}, {@code local-hostname}); problems go to {@code findings} with positions. */
public final class MetaDataParser {

    private MetaDataParser() {
    }

    public static Optional<MetaData> parse(String name, byte[] bytes, Findings findings) {
        Findings local = findings.forSource(Source.file(name));
        String text = new String(bytes, StandardCharsets.UTF_8);
        Optional<Node> root = YamlDocument.compose(text, local);
        if (root.isEmpty() || !(root.get() instanceof MappingNode mapping)) {
            if (!local.hasErrors()) {
                local.error(1, 1, "meta-data is not a YAML mapping", "write instance-id: iid-<something unique per install>");
            }
            return Optional.empty();
        }
        String instanceId = null;
        String hostname = null;
        for (NodeTuple t : mapping.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                Node v = t.getValueNode();
                String value = v instanceof ScalarNode s ? s.getValue().strip() : null;
                if (k.getValue().equals("instance-id")) {
                    if (value == null || value.isEmpty()) {
                        local.error(v.getStartMark().getLine() + 1, v.getStartMark().getColumn() + 1, "instance-id is empty",
                                "write a unique id, e.g. instance-id: iid-store-0042-cp1");
                        return Optional.empty();
                    }
                    instanceId = value;
                } else if (k.getValue().equals("local-hostname") && value != null && !value.isEmpty()) {
                    hostname = value;
                }
            }
        }
        if (instanceId == null) {
            local.error(1, 1, "meta-data has no instance-id, so first boot cannot tell a new instance from a reboot",
                    "add instance-id: iid-<unique>; change it to apply the user-data again");
            return Optional.empty();
        }
        return Optional.of(new MetaData(instanceId, Optional.ofNullable(hostname)));
    }
}
