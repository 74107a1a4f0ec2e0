package dev.mooring.overlay.membership;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig.Role;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What one host says about itself on the underlay, several times a second: who it is, where its
 * overlay address lives and where to reach it now. {@link AnnouncementCodec} puts it on the wire.
 *
 * @param clusterId   the cluster's name, 1..{@value #MAX_CLUSTER_ID_BYTES} bytes of UTF-8
 * @param hostId      the host's stable identity (machine id or host name), 1..{@value #MAX_HOST_ID_BYTES} bytes
 * @param hostName    for people reading the status file, 0..{@value #MAX_HOST_NAME_BYTES} bytes
 * @param overlay     the host's overlay address
 * @param mac         the host's bridge MAC
 * @param underlay    the host's current underlay (physical) address
 * @param role        control plane or worker
 * @param incarnation grows at every start of the service (persisted), so a restart outranks old messages
 * @param sequence    grows with every announcement within one incarnation
 * @param timestamp   the sender's wall clock, epoch milliseconds
 * @param nonce       16 random bytes, unique per announcement
 * @param flags       tentative, leaving, VIP-eligible, VIP holder
 */
public record Announcement(
        String clusterId,
        String hostId,
        String hostName,
        Ipv4Address overlay,
        MacAddress mac,
        Ipv4Address underlay,
        Role role,
        long incarnation,
        long sequence,
        long timestamp,
        Nonce nonce,
        Flags flags) {

    public static final int MAX_CLUSTER_ID_BYTES = 63;
    public static final int MAX_HOST_ID_BYTES = 64;
    public static final int MAX_HOST_NAME_BYTES = 253;

    public Announcement {
        requireText("clusterId", clusterId, 1, MAX_CLUSTER_ID_BYTES);
        requireText("hostId", hostId, 1, MAX_HOST_ID_BYTES);
        requireText("hostName", hostName, 0, MAX_HOST_NAME_BYTES);
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(underlay, "underlay");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(flags, "flags");
        if (incarnation < 0 || sequence < 0) {
            throw new IllegalArgumentException("incarnation and sequence must not be negative, got " + incarnation + " and " + sequence);
        }
    }

    /**
     * The announcement's boolean properties.
     *
     * @param tentative   the overlay address is claimed but not yet persisted (may still move)
     * @param leaving     the host is shutting down cleanly: treat it as dead at once
     * @param vipEligible a healthy control-plane host that may hold the VIP
     * @param vipHolder   the host holds the VIP now
     */
    public record Flags(boolean tentative, boolean leaving, boolean vipEligible, boolean vipHolder) {
        public static final Flags NONE = new Flags(false, false, false, false);

        public Flags withLeaving(boolean value) {
            return new Flags(tentative, value, vipEligible, vipHolder);
        }
    }

    /** Whether the (incarnation, sequence) pair of this announcement comes after {@code other}'s. */
    public boolean isNewerThan(long otherIncarnation, long otherSequence) {
        return incarnation != otherIncarnation ? incarnation > otherIncarnation : sequence > otherSequence;
    }

    static void requireText(String name, String value, int minBytes, int maxBytes) {
        Objects.requireNonNull(value, name);
        int length = value.getBytes(StandardCharsets.UTF_8).length;
        if (length < minBytes || length > maxBytes) {
            throw new IllegalArgumentException(name + ": expected " + minBytes + ".." + maxBytes + " bytes of UTF-8, got " + length + " ('" + value + "')");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(name + ": control characters are not allowed ('" + value.replaceAll("\\p{Cntrl}", "?") + "')");
        }
    }
}
