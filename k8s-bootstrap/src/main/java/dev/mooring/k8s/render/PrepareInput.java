package dev.mooring.k8s.render;

import dev.mooring.k8s.cluster.ClusterFile;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a rendering depends on: the cluster file, the overlay as its status file describes it,
 * and what this host's etcd data directory holds. Nothing else (no clock, no host name lookup), so
 * the same input always renders the same files.
 */
public record PrepareInput(ClusterFile cluster, OverlayView overlay, EtcdData etcd) {

    /** Debian's etcd-server default ({@code ETCD_DATA_DIR} in its unit). */
    public static final Path DEFAULT_ETCD_DATA_DIR = Path.of("/var/lib/etcd/default");

    /**
     * This host's etcd data directory and whether it already holds a member (a {@code member}
     * directory): such a member rejoins its cluster ({@code existing}) instead of founding one.
     */
    public record EtcdData(Path dataDir, boolean hasMember) {
        public EtcdData {
            Objects.requireNonNull(dataDir, "dataDir");
        }
    }

    public PrepareInput {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(etcd, "etcd");
    }
}
