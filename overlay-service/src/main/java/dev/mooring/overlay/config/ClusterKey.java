package dev.mooring.overlay.config;

import dev.mooring.overlay.address.InvalidAddressException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The cluster's shared secret: 32 random bytes, written in base64 (44 characters). It keys the
 * HMAC on every discovery message. {@code toString} never shows it.
 */
public record ClusterKey(byte[] bytes) {

    public static final int LENGTH = 32;

    public ClusterKey {
        if (bytes.length != LENGTH) {
            throw new InvalidAddressException("the cluster key must be " + LENGTH + " bytes, got " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /** Parses base64 (standard alphabet, padded). */
    public static ClusterKey parse(String base64) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64 == null ? "" : base64.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidAddressException("the cluster key is not base64 (" + e.getMessage() + "); make one with: head -c 32 /dev/urandom | base64");
        }
        if (decoded.length != LENGTH) {
            throw new InvalidAddressException("the cluster key decodes to " + decoded.length + " bytes, it must be " + LENGTH + "; make one with: head -c 32 /dev/urandom | base64");
        }
        return new ClusterKey(decoded);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterKey k && MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "ClusterKey[redacted]";
    }
}
