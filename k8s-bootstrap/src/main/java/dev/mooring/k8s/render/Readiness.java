package dev.mooring.k8s.render;

import dev.mooring.k8s.cluster.ClusterFile;
import java.util.Optional;

/**
 * Whether the overlay status allows rendering yet. What is missing is reported, not thrown:
 * prepare polls until nothing is missing or its timeout ends.
 */
public final class Readiness {

    private Readiness() {}

    /** What is still missing, empty when prepare can render now. */
    public static Optional<String> missing(ClusterFile cluster, OverlayView overlay) {
        if (!OverlayView.READY.equals(overlay.state())) {
            return Optional.of("the overlay is '" + overlay.state() + "', not 'ready'");
        }
        int count = cluster.kubernetes().controlPlaneCount();
        if (cluster.kubernetes().distribution() == ClusterFile.Distribution.ETCD && cluster.isControlPlane()
                && overlay.controlPlanes().size() < count) {
            return Optional.of("etcd's initial cluster needs " + count + " control-plane hosts and the overlay knows "
                    + overlay.controlPlanes().size());
        }
        return Optional.empty();
    }
}
