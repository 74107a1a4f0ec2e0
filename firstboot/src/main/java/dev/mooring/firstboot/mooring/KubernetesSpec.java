package dev.mooring.firstboot.mooring;

import java.util.Optional;

/**
 * Which Kubernetes the host runs.
 *
 * @param token   the join token (secret: {@code toString} hides it)
 * @param version e.g. {@code v1.31.4} or {@code v1.31.4+k3s1}; empty for the image's default
 * @param controlPlaneCount how many control-plane hosts form the initial cluster (etcd's initial-cluster waits for that many)
 */
public record KubernetesSpec(Distribution distribution, Optional<String> token, Optional<String> version, int controlPlaneCount) {

    public static final int MAX_CONTROL_PLANE_COUNT = 9;

    public KubernetesSpec {
        if (controlPlaneCount < 1 || controlPlaneCount > MAX_CONTROL_PLANE_COUNT) {
            throw new IllegalArgumentException("controlPlaneCount: expected 1.." + MAX_CONTROL_PLANE_COUNT + ", got " + controlPlaneCount);
        }
    }

    /** One control-plane host, the default. */
    public KubernetesSpec(Distribution distribution, Optional<String> token, Optional<String> version) {
        this(distribution, token, version, 1);
    }

    /** The Kubernetes flavour, as user-data names it in lower case. */
    public enum Distribution {
        K3S, KUBEADM, ETCD;

        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return "KubernetesSpec[" + distribution.yamlName() + token.map(t -> ", token=redacted").orElse("") + version.map(v -> ", " + v).orElse("")
                + ", control planes " + controlPlaneCount + "]";
    }
}
