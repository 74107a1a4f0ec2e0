package dev.mooring.overlay.identity;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlaySettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a host keeps across restarts so its overlay never changes under the cluster: its overlay
 * address, and the cluster's CIDR, VIP and VNI as they were when the address was first used.
 * Stored by {@link IdentityStore} in {@code <state-dir>/identity.json}.
 *
 * @param created     when the address was first persisted
 * @param incarnation grows at every start of the service, so peers can tell a restart from a replay
 */
public record OverlayIdentity(String hostId, Ipv4Address overlay, Cidr cidr, Ipv4Address vip, int vni,
                              Instant created, long incarnation) {

    public OverlayIdentity {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(created, "created");
        if (hostId.isEmpty()) {
            throw new IllegalArgumentException("hostId: must not be empty");
        }
        if (!cidr.contains(overlay)) {
            throw new IllegalArgumentException("overlay: " + overlay + " is outside the CIDR " + cidr);
        }
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation: expected zero or more, got " + incarnation);
        }
    }

    /** This identity at another incarnation. */
    public OverlayIdentity withIncarnation(long next) {
        return new OverlayIdentity(hostId, overlay, cidr, vip, vni, created, next);
    }

    /**
     * How {@code settings} (read from {@code config}) differ from what is fixed: CIDR, VIP, VNI,
     * and a static address that is not this host's persisted one. One sentence each, saying what
     * is fixed since when, what the configuration says and what to do; empty when they agree.
     */
    public List<String> conflicts(OverlaySettings settings, String config) {
        String since = " since " + created.toString().substring(0, 10) + "; " + config + " says ";
        String keep = ". It cannot change while the cluster exists: write the fixed value in " + config
                + ", or, to build a new cluster, stop the overlay on every host and delete its identity file";
        List<String> out = new ArrayList<>();
        if (!settings.cidr().equals(cidr)) {
            out.add("the overlay CIDR of this cluster is fixed at " + cidr + since + settings.cidr() + keep);
        }
        if (!settings.vip().equals(vip)) {
            out.add("the VIP of this cluster is fixed at " + vip + since + settings.vip() + keep);
        }
        if (settings.vni() != vni) {
            out.add("the VNI of this cluster is fixed at " + vni + since + settings.vni() + keep);
        }
        settings.address().filter(a -> !a.equals(overlay)).ifPresent(a -> out.add("the overlay address of this host is fixed at "
                + overlay + since + a + ". Other hosts know it by that address: write address: " + overlay + " in " + config
                + " or leave it out"));
        return out;
    }
}
