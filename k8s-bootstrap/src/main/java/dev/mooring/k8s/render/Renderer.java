package dev.mooring.k8s.render;

import dev.mooring.k8s.cluster.ClusterFile;
import java.util.List;

/**
 * The functional core of {@code mooring k8s prepare}: (cluster file, overlay status, etcd data
 * directory) → the files to write. Pure: no I/O, same input, same output.
 */
public final class Renderer {

    private Renderer() {}

    public static List<Rendered> render(PrepareInput in) throws PrepareException {
        ClusterFile c = in.cluster();
        OverlayView o = in.overlay();
        if (!c.host().equals(o.host())) {
            throw new PrepareException("/etc/mooring/cluster.yaml is for host '" + c.host() + "' but the overlay status is host '"
                    + o.host() + "'; both come from this host's user-data: run first boot again, or point --status at this host's file");
        }
        if (!c.role().text().equals(o.role())) {
            throw new PrepareException("/etc/mooring/cluster.yaml says role " + c.role().text() + " but the overlay runs as "
                    + o.role() + " (role in /etc/mooring/overlay.yaml); they must agree, or the VIP would go to a host without"
                    + " an API server. Fix the one that is wrong and restart mooring-overlay");
        }
        return switch (c.kubernetes().distribution()) {
            case K3S -> K3sConfig.render(in);
            case KUBEADM -> KubeadmConfig.render(in);
            case ETCD -> EtcdConfig.render(in);
        };
    }
}
