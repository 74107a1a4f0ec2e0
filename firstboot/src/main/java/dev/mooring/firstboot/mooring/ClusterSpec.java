package dev.mooring.firstboot.mooring;

/**
 * The cluster this host joins.
 *
 * @param name      a DNS-1123 label, e.g. {@code store-0042}
 * @param bootstrap this host creates the cluster (only a control-plane host can)
 */
public record ClusterSpec(String name, Role role, boolean bootstrap) {

    public ClusterSpec {
        if (bootstrap && role != Role.CONTROL_PLANE) {
            throw new IllegalArgumentException("bootstrap: only a control-plane host bootstraps a cluster");
        }
    }

    /** What the host runs: the control plane (API server, etcd) or workloads only. */
    public enum Role {
        CONTROL_PLANE("control-plane"),
        WORKER("worker");

        private final String yamlName;

        Role(String yamlName) {
            this.yamlName = yamlName;
        }

        /** The name as user-data writes it. */
        public String yamlName() {
            return yamlName;
        }
    }
}
