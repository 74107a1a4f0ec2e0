package dev.mooring.overlay.membership;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) over the JDK's SHA-256 {@link MessageDigest}; one instance per thread.
 *
 * <p>Not {@code javax.crypto.Mac}: the first Mac in a JVM initialises the JCE (its policy files,
 * and a search of every jar on the class path for a URL handler) and builds each security provider
 * up to SunJCE; that was about 35 ms of CPU while the service starts on a two-core device, where
 * every thread's CPU delays READY. A SHA-256 digest needs only the first provider, which the nonce
 * generator loads anyway. The construction is the RFC's, checked against the JCE's Mac in
 * {@code HmacSha256Test} (RFC 4231's vectors and random keys and messages).
 */
final class HmacSha256 {

    static final int LENGTH = 32;
    /** SHA-256's block size: the key is padded (or first hashed) to it. */
    private static final int BLOCK = 64;
    private static final byte INNER = 0x36;
    private static final byte OUTER = 0x5c;

    private final MessageDigest sha256;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];

    HmacSha256(byte[] key) {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime, yet: " + e.getMessage(), e);
        }
        byte[] k = key.length > BLOCK ? sha256.digest(key) : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ INNER);
            outerPad[i] = (byte) (b ^ OUTER);
        }
        if (k != key) {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** The tag of {@code data[0, length)}. */
    byte[] tag(byte[] data, int length) {
        sha256.update(innerPad);
        sha256.update(data, 0, length);
        byte[] inner = sha256.digest(); // digest() also resets it
        sha256.update(outerPad);
        sha256.update(inner);
        return sha256.digest();
    }
}
