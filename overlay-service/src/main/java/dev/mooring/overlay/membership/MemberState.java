package dev.mooring.overlay.membership;

/** How a member looks from here, by how long ago its last announcement was accepted. */
public enum MemberState {
    /** Heard recently. */
    ALIVE,
    /** Silent for a while; still counted for forwarding, not trusted for the VIP. */
    SUSPECT,
    /** Silent too long, or said it is leaving. Kept: it may return, possibly at a new address. */
    DEAD
}
