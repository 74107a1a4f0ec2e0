package dev.mooring.hub.api;

/**
 * The shapes of the secrets hosts carry. Each names its record ({@code mt_<tokenId>.<secret>},
 * {@code mk_<hostId>.<secret>}), so the hub finds the one hash to compare without scanning, and
 * the secret part is 32 random bytes.
 */
public final class HostKeys {
    /** A host's API key. */
    public static final String PREFIX = "mk_";
    /** A registration token. */
    public static final String TOKEN_PREFIX = "mt_";

    private HostKeys() {}
}
