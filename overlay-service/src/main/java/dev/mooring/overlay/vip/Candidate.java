package dev.mooring.overlay.vip;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import java.util.Objects;

/**
 * One member as the VIP election sees it, this host included.
 *
 * @param alive    heard from recently (this host is always alive to itself)
 * @param eligible the member says it may hold the VIP now (control plane and its health check passes)
 */
public record Candidate(String hostId, Ipv4Address overlay, OverlayConfig.Role role, boolean alive, boolean eligible) {
    public Candidate {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(role, "role");
    }
}
