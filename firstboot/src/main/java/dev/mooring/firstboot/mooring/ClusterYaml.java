package dev.mooring.firstboot.mooring;

import java.util.Optional;

/** Renders /etc/mooring/cluster.yaml as docs/contracts.md fixes it (mode 0600: it may hold the join token). */
public final class ClusterYaml {

    public static final String PATH = "/etc/mooring/cluster.yaml";

    private ClusterYaml() {
    }

    public static String render(String cluster, String host, ClusterSpec.Role role, boolean bootstrap,
                                Optional<KubernetesSpec> kubernetes) {
        StringBuilder out = new StringBuilder("# Written by mooring firstboot (docs/contracts.md); read by mooring k8s prepare.\n");
        out.append("version: 1\n");
        out.append("cluster: ").append(OverlayYaml.quote(cluster)).append('\n');
        out.append("host: ").append(OverlayYaml.quote(host)).append('\n');
        out.append("role: ").append(role.yamlName()).append('\n');
        out.append("bootstrap: ").append(bootstrap).append('\n');
        kubernetes.ifPresent(k -> {
            out.append("kubernetes:\n  distribution: ").append(k.distribution().yamlName()).append('\n');
            k.version().ifPresent(v -> out.append("  version: ").append(OverlayYaml.quote(v)).append('\n'));
            k.token().ifPresent(t -> out.append("  token: ").append(OverlayYaml.quote(t)).append('\n'));
            out.append("  control-plane-count: ").append(k.controlPlaneCount()).append('\n');
        });
        return out.toString();
    }
}
