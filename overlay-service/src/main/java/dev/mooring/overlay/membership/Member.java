package dev.mooring.overlay.membership;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig.Role;
import java.time.Instant;

/**
 * One other host of the cluster as this host knows it: what it last announced and how it looks now.
 *
 * @param lastHeard wall-clock time its last announcement was accepted, for people and the status file
 */
public record Member(
        String hostId,
        String hostName,
        Ipv4Address overlay,
        MacAddress mac,
        Ipv4Address underlay,
        Role role,
        MemberState state,
        Announcement.Flags flags,
        Instant lastHeard,
        long incarnation) {

    /**
     * Whether {@code other} differs in something forwarding or the VIP election acts on (addresses,
     * role, state, flags, a restart), as opposed to merely having been heard again.
     */
    public boolean differsMateriallyFrom(Member other) {
        return !hostId.equals(other.hostId) || !overlay.equals(other.overlay) || !mac.equals(other.mac)
                || !underlay.equals(other.underlay) || role != other.role || state != other.state
                || !flags.equals(other.flags) || incarnation != other.incarnation;
    }
}
