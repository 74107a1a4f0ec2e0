package dev.mooring.k8s.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code /etc/mooring/cluster.yaml} (docs/contracts.md): which cluster this host belongs to, its
 * role, whether it initialises the cluster, and the Kubernetes distribution to prepare.
 *
 * @param cluster   the cluster's name
 * @param host      this host's name (the node name)
 * @param role      control-plane or worker
 * @param bootstrap this host initialises the cluster (k3s cluster-init, kubeadm init)
 */
public record ClusterFile(int version, String cluster, String host, Role role, boolean bootstrap, Kubernetes kubernetes) {

    public static final int VERSION = 1;

    public ClusterFile {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(kubernetes, "kubernetes");
    }

    public enum Role {
        CONTROL_PLANE("control-plane"), WORKER("worker");

        private final String text;

        Role(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        public static Optional<Role> parse(String text) {
            for (Role r : values()) {
                if (r.text.equals(text)) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }

    public enum Distribution {
        K3S("k3s"), KUBEADM("kubeadm"), ETCD("etcd");

        private final String text;

        Distribution(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        public static Optional<Distribution> parse(String text) {
            for (Distribution d : values()) {
                if (d.text.equals(text)) {
                    return Optional.of(d);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The {@code kubernetes:} section.
     *
     * @param version           the distribution's version, empty when not pinned
     * @param token             the join token, empty when not given
     * @param controlPlaneCount how many control-plane hosts form the initial cluster (1 when not given)
     */
    public record Kubernetes(Distribution distribution, Optional<String> version, Optional<String> token, int controlPlaneCount) {
        public Kubernetes {
            Objects.requireNonNull(distribution, "distribution");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(token, "token");
            if (controlPlaneCount < 1) {
                throw new IllegalArgumentException("controlPlaneCount: expected at least 1, got " + controlPlaneCount);
            }
        }
    }

    public boolean isControlPlane() {
        return role == Role.CONTROL_PLANE;
    }
}
