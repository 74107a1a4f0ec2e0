package dev.mooring.overlay.membership;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** 16 random bytes that make every announcement unique, as two big-endian longs. */
public record Nonce(long high, long low) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh nonce from a secure random source. */
    public static Nonce random() {
        return random(RANDOM);
    }

    public static Nonce random(RandomGenerator random) {
        return new Nonce(random.nextLong(), random.nextLong());
    }

    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
    }
}
