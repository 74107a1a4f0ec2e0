package dev.mooring.overlay.membership;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig.Role;
import java.util.Objects;

/**
 * What this host announces about itself right now; {@link Discovery} asks for it before every send,
 * because the underlay address (DHCP), the overlay address (settling) and the flags (VIP) change
 * while it runs. An {@linkplain Ipv4Address#isUnspecified() unspecified} underlay (no address yet)
 * means: announce nothing for now.
 */
public record LocalHost(String hostName, Ipv4Address overlay, MacAddress mac, Ipv4Address underlay, Role role, Announcement.Flags flags) {
    public LocalHost {
        Announcement.requireText("hostName", hostName, 0, Announcement.MAX_HOST_NAME_BYTES);
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(underlay, "underlay");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(flags, "flags");
    }
}
