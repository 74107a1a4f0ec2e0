package dev.mooring.overlay.membership;

/** Why a received datagram was not accepted as an announcement; {@link #metricName()} is its label in metrics. */
public enum DropReason {
    /** Not an announcement of a version this host reads, or fields out of range. */
    MALFORMED("malformed"),
    /** Longer than {@link AnnouncementCodec#MAX_DATAGRAM} bytes. */
    OVERSIZED("oversized"),
    /** The HMAC does not match: forged, corrupted, or sent with another key. */
    BAD_HMAC("bad-hmac"),
    /** Seen before: the same nonce, or an (incarnation, sequence) that does not grow. */
    REPLAYED("replayed"),
    /** Well-formed, but for another cluster. */
    FOREIGN_CLUSTER("foreign-cluster"),
    /** The timestamp lies outside the accepted window around this host's clock. */
    STALE("stale"),
    /** This host's own announcement (its broadcast comes back), or another host claiming this host's id. */
    SELF("self");

    private final String metricName;

    DropReason(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }
}
