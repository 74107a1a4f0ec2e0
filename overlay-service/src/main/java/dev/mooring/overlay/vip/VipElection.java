package dev.mooring.overlay.vip;

import dev.mooring.overlay.config.OverlayConfig;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Who holds the VIP: the first alive, eligible control-plane member in ascending overlay-address
 * order (host id breaks a tie). No votes and no leases: every host applies the same order to the
 * members it sees, so hosts that see the same members agree, and after a partition heals, once the
 * announcements have crossed, every host names the same single holder. A returning member with a
 * lower address takes the VIP back.
 */
public final class VipElection {

    // Spelled out: Comparator.comparing's comparators are serializable lambdas, which the AOT cache
    // does not hold, and the service's first status names the holder.
    private static final Comparator<Candidate> ORDER = (a, b) -> {
        int order = a.overlay().compareTo(b.overlay());
        return order != 0 ? order : a.hostId().compareTo(b.hostId());
    };

    private VipElection() {}

    /** The holder among {@code members} (include this host); empty when nobody may hold the VIP. */
    public static Optional<Candidate> holder(Collection<Candidate> members) {
        return members.stream()
                .filter(c -> c.alive() && c.eligible() && c.role() == OverlayConfig.Role.CONTROL_PLANE)
                .min(ORDER);
    }

    /** True when the holder among {@code members} is the host {@code hostId}. */
    public static boolean holds(String hostId, Collection<Candidate> members) {
        return holder(members).map(c -> c.hostId().equals(hostId)).orElse(false);
    }
}
