package dev.mooring.firstboot.mooring;

import dev.mooring.overlay.config.OverlaySettings;
import java.util.Optional;

/** The {@code mooring:} section of a cloud-config; each part is absent when its key is. */
public record MooringConfig(Optional<Registration> registration, Optional<ClusterSpec> cluster,
                            Optional<OverlaySettings> overlay, Optional<KubernetesSpec> kubernetes) {
}
