package dev.mooring.overlay.membership;

import java.time.Duration;

/**
 * Turns silence into a state: {@link MemberState#SUSPECT} after {@code suspectAfter} without an
 * accepted announcement, {@link MemberState#DEAD} after {@code deadAfter}.
 */
public record FailureDetector(Duration suspectAfter, Duration deadAfter) {

    /** Intervals of silence before a member is suspect. */
    public static final int SUSPECT_INTERVALS = 3;
    /** Intervals of silence before a member is dead. */
    public static final int DEAD_INTERVALS = 4;

    public FailureDetector {
        if (suspectAfter.isNegative() || suspectAfter.isZero() || deadAfter.compareTo(suspectAfter) <= 0) {
            throw new IllegalArgumentException("expected 0 < suspectAfter < deadAfter, got " + suspectAfter + " and " + deadAfter);
        }
    }

    /** The defaults for an announce interval: suspect after 3 intervals, dead after 4 (750 and 1000 ms at 250 ms). */
    public static FailureDetector forInterval(Duration interval) {
        // In nanoseconds, not Duration.multipliedBy: that one computes with BigDecimal, whose class
        // initialisation alone is ~20 ms on JDK 25, and the service builds this before it is READY.
        return new FailureDetector(Duration.ofNanos(Math.multiplyExact(interval.toNanos(), SUSPECT_INTERVALS)),
                Duration.ofNanos(Math.multiplyExact(interval.toNanos(), DEAD_INTERVALS)));
    }

    /** The state of a member last heard {@code silentNanos} ago. */
    public MemberState assess(long silentNanos) {
        if (silentNanos >= deadAfter.toNanos()) {
            return MemberState.DEAD;
        }
        return silentNanos >= suspectAfter.toNanos() ? MemberState.SUSPECT : MemberState.ALIVE;
    }
}
