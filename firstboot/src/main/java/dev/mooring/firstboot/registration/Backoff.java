package dev.mooring.firstboot.registration;

import java.time.Duration;

/**
 * Exponential backoff with "equal jitter": before retry n (0-based) the ceiling is
 * {@code min(max, initial * multiplier^n)} and the delay is uniform in [ceiling/2, ceiling], so
 * hosts that lost the hub together do not come back in lockstep, yet never retry faster than half
 * the ceiling. {@code total} bounds the whole registration.
 */
public record Backoff(Duration initial, Duration max, double multiplier, Duration total) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), 2.0, Duration.ofSeconds(30));

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1.0 || total.isNegative()) {
            throw new IllegalArgumentException("backoff: expected 0 < initial <= max, multiplier >= 1, total >= 0; got "
                    + initial + ", " + max + ", " + multiplier + ", " + total);
        }
    }

    /** The ceiling before retry {@code attempt} (0 for the first retry). */
    public Duration ceiling(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.min(attempt, 62));
        return Duration.ofMillis((long) Math.min(max.toMillis(), millis));
    }

    /** The delay before retry {@code attempt}; {@code random} in [0, 1) picks it within [ceiling/2, ceiling]. */
    public Duration delay(int attempt, double random) {
        if (random < 0 || random >= 1) {
            throw new IllegalArgumentException("random: expected [0, 1), got " + random);
        }
        long ceiling = ceiling(attempt).toMillis();
        long low = (ceiling + 1) / 2; // rounded up: never below half the ceiling
        return Duration.ofMillis(low + (long) (random * (ceiling - low)));
    }
}
