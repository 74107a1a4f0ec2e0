package dev.mooring.k8s.render;

import dev.mooring.k8s.cluster.ClusterFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * k3s's {@code /etc/rancher/k3s/config.yaml} (keys are the CLI flags without {@code --}) for the
 * three roles: the first server ({@code cluster-init}), a server that joins through the VIP, and an
 * agent. Every address k3s advertises or registers is the overlay address; the VIP is a TLS SAN.
 *
 * <p>k3s has no flag for flannel's VXLAN port. Its documented way to set backend options is
 * {@code --flannel-conf} (k3s docs, cli/server.md: "Use --flannel-conf to specify the flannel config
 * file with the backend config"): a flannel net-conf.json whose {@code Backend.Port} we set to
 * flannel's Linux default 8472, checked against the overlay's own VXLAN port. That file replaces
 * the one k3s would generate, so it carries the pod network too, and the servers set the same
 * {@code cluster-cidr} explicitly so the two cannot disagree.
 */
final class K3sConfig {

    static final Path CONFIG = Path.of("/etc/rancher/k3s/config.yaml");
    static final Path FLANNEL_CONF = Path.of("/etc/rancher/k3s/mooring-flannel.json");
    /** k3s's default pod network. */
    static final String CLUSTER_CIDR = "10.42.0.0/16";
    /** flannel's VXLAN port on Linux (the kernel's legacy default); the overlay refuses it for itself. */
    static final int FLANNEL_VXLAN_PORT = 8472;
    static final String OVERLAY_BRIDGE = "mooring0";
    static final int API_PORT = 6443;

    private K3sConfig() {}

    static List<Rendered> render(PrepareInput in) throws PrepareException {
        ClusterFile c = in.cluster();
        OverlayView o = in.overlay();
        if (o.vxlanPort() == FLANNEL_VXLAN_PORT) {
            throw new PrepareException("the overlay uses UDP " + o.vxlanPort() + " for its VXLAN, which is flannel's port; "
                    + "set overlay.port to 4789 in /etc/mooring/overlay.yaml (before the cluster exists)");
        }
        boolean server = c.isControlPlane();
        Map<String, Object> config = new LinkedHashMap<>();
        if (server && c.bootstrap()) {
            config.put("cluster-init", true);
        } else {
            config.put("server", "https://" + o.vip() + ":" + API_PORT);
        }
        if (c.kubernetes().token().isPresent()) {
            config.put("token", c.kubernetes().token().get());
        } else if (!c.bootstrap()) {
            throw new PrepareException("kubernetes.token: missing in /etc/mooring/cluster.yaml; a host that joins a k3s cluster "
                    + "needs the cluster's token (the first server's /var/lib/rancher/k3s/server/token, or the token every host "
                    + "was given in user-data)");
        }
        config.put("node-name", c.host());
        config.put("node-ip", o.address().toString());
        if (server) {
            config.put("advertise-address", o.address().toString());
            config.put("tls-san", List.of(o.vip().toString(), o.address().toString()));
            config.put("cluster-cidr", CLUSTER_CIDR);
            config.put("flannel-backend", "vxlan");
        }
        config.put("flannel-iface", OVERLAY_BRIDGE);
        config.put("flannel-conf", FLANNEL_CONF.toString());
        String header = "# Written by mooring k8s prepare from /etc/mooring/cluster.yaml and /run/mooring/overlay.json;\n"
                + "# edits are overwritten. " + (server ? (c.bootstrap() ? "First server (cluster-init)" : "Joining server")
                : "Agent") + " of cluster " + c.cluster() + ", bound to the overlay address " + o.address() + ".\n";
        String flannel = """
                {
                  "Network": "%s",
                  "EnableIPv4": true,
                  "Backend": {
                    "Type": "vxlan",
                    "Port": %d
                  }
                }
                """.formatted(CLUSTER_CIDR, FLANNEL_VXLAN_PORT);
        return List.of(
                new Rendered.File(CONFIG, header + YamlText.of(config), 0600),
                new Rendered.File(FLANNEL_CONF, flannel, 0644),
                DropIns.forUnit(server ? "k3s.service" : "k3s-agent.service"));
    }
}
