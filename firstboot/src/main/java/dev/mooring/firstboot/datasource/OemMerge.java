package dev.mooring.firstboot.datasource;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Merges the image's {@code /oem/*.yaml} cloud-configs in name order: a later file's key replaces
 * an earlier one's, mappings are merged key by key (recursively), lists and scalars are replaced
 * whole (cloud-init's {@code dict(recurse_dict)+list(replace)}). Each file is validated on its own
 * first, so errors point into the file that has them.
 */
public final class OemMerge {

    private OemMerge() {
    }

    /** The merged document as {@code #cloud-config} text. */
    public static String merge(List<String> documents) {
        Yaml yaml = new Yaml(new LoaderOptions());
        Node merged = null;
        for (String text : documents) {
            Node node = yaml.compose(new java.io.StringReader(text));
            if (node == null) {
                continue;
            }
            merged = merged == null ? node : merge(merged, node);
        }
        if (merged == null) {
            return "#cloud-config\n";
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        StringWriter out = new StringWriter();
        new Yaml(options).serialize(merged, out);
        return "#cloud-config\n" + out;
    }

    private static Node merge(Node base, Node later) {
        if (!(base instanceof MappingNode b) || !(later instanceof MappingNode l)) {
            return later;
        }
        List<NodeTuple> out = new ArrayList<>(b.getValue());
        for (NodeTuple tuple : l.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            int existing = -1;
            for (int i = 0; i < out.size() && key != null; i++) {
                if (out.get(i).getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                    existing = i;
                }
            }
            if (existing < 0) {
                out.add(tuple);
            } else {
                out.set(existing, new NodeTuple(out.get(existing).getKeyNode(), merge(out.get(existing).getValueNode(), tuple.getValueNode())));
            }
        }
        return new MappingNode(b.getTag(), out, b.getFlowStyle());
    }
}
