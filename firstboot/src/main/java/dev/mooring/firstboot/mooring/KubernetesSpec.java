package dev.mooring.firstboot.mooring;

import java.util.Optional;

/**
 * Which Kubernetes the host runs.
 *
 * @param token   the join token (secret: {@code toString} hides it)
 * @param version e.g. {@code v1.31.4} or {@code v1.31.4+k3s1}; empty for the image's default
 */
public record KubernetesSpec(Distribution distribution, Optional<String> token, Optional<String> version) {

    /** The Kubernetes flavour, as user-data names it in lower case. */
    public enum Distribution {
        K3S, KUBEADM, ETCD;

        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return "KubernetesSpec[" + distribution.yamlName() + token.map(t -> ", token=redacted").orElse("") + version.map(v -> ", " + v).orElse("") + "]";
    }
}
