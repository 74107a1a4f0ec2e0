package dev.mooring.k8s.render;

import static dev.mooring.k8s.cluster.ClusterFile.Distribution.ETCD;
import static dev.mooring.k8s.cluster.ClusterFile.Distribution.K3S;
import static dev.mooring.k8s.cluster.ClusterFile.Distribution.KUBEADM;
import static dev.mooring.k8s.cluster.ClusterFile.Role.CONTROL_PLANE;
import static dev.mooring.k8s.cluster.ClusterFile.Role.WORKER;

import dev.mooring.k8s.cluster.ClusterFile;
import dev.mooring.k8s.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Every distribution and role, as golden-file cases: h1 bootstraps, h2 joins as control plane, h4 is a worker. */
final class Cases {

    record Case(String name, PrepareInput input) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<String> ALL = List.of("h1", "h2", "h3", "h4");
    private static final Optional<String> K3S_TOKEN = Optional.of("K10-join-token");
    private static final Optional<String> KUBEADM_TOKEN = Optional.of("abcdef.0123456789abcdef");

    private Cases() {}

    static List<Case> all() {
        return List.of(
                c("k3s-server-init", "h1", CONTROL_PLANE, true, K3S, Optional.of("v1.31.4+k3s1"), K3S_TOKEN, 3, false),
                c("k3s-server-join", "h2", CONTROL_PLANE, false, K3S, Optional.of("v1.31.4+k3s1"), K3S_TOKEN, 3, false),
                c("k3s-agent", "h4", WORKER, false, K3S, Optional.of("v1.31.4+k3s1"), K3S_TOKEN, 3, false),
                c("kubeadm-init", "h1", CONTROL_PLANE, true, KUBEADM, Optional.of("v1.31.4"), KUBEADM_TOKEN, 3, false),
                c("kubeadm-join-control-plane", "h2", CONTROL_PLANE, false, KUBEADM, Optional.of("v1.31.4"), KUBEADM_TOKEN, 3, false),
                c("kubeadm-join-worker", "h4", WORKER, false, KUBEADM, Optional.of("v1.31.4"), KUBEADM_TOKEN, 3, false),
                c("etcd-new", "h1", CONTROL_PLANE, true, ETCD, Optional.empty(), Optional.empty(), 3, false),
                c("etcd-existing", "h2", CONTROL_PLANE, false, ETCD, Optional.empty(), Optional.empty(), 3, true),
                c("etcd-worker", "h4", WORKER, false, ETCD, Optional.empty(), Optional.empty(), 3, false));
    }

    static Case c(String name, String host, ClusterFile.Role role, boolean bootstrap, ClusterFile.Distribution d,
                  Optional<String> version, Optional<String> token, int count, boolean hasMember) {
        List<String> others = ALL.stream().filter(h -> !h.equals(host)).toList();
        return new Case(name, new PrepareInput(Fixtures.cluster(host, role, bootstrap, d, version, token, count),
                OverlayView.of(Fixtures.status(host, "ready", others)),
                new PrepareInput.EtcdData(Path.of("/var/lib/etcd/default"), hasMember)));
    }

    /** The rendering as one text: each item's path, mode or link target, then its content. */
    static String text(List<Rendered> rendered) {
        StringBuilder out = new StringBuilder();
        for (Rendered r : rendered) {
            switch (r) {
                case Rendered.File f -> out.append("==> ").append(f.path()).append(" (").append(String.format("%04o", f.mode()))
                        .append(")\n").append(f.content());
                case Rendered.Link l -> out.append("==> ").append(l.path()).append(" -> ").append(l.target()).append('\n');
            }
        }
        return out.isEmpty() ? "(nothing)\n" : out.toString();
    }
}
