package dev.mooring.overlay.service;

import dev.mooring.overlay.address.AddressDerivation;
import dev.mooring.overlay.address.AddressDerivation.Claim;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.membership.Member;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;

/**
 * A derived overlay address while it settles, before it is persisted: the host claims the
 * candidate its id hashes to, announces the claim as tentative, and moves on whenever another
 * host's claim beats it ({@link AddressDerivation#resolve}). The claim is settled once it has not
 * moved for {@code window} (a few announce intervals: long enough to hear every alive host once
 * more) <em>and</em> this host's discovery has sent {@code rounds} announcement rounds since: a
 * JVM that starts slowly (a loaded host, a guest under emulation) has its window counted from when
 * it could actually hear the others, not from when it began to start. Without the second rule two
 * slow hosts whose ids hash to one address each settled on it having heard nobody (docs/lab.md).
 * Pure: time is given, in monotonic nanoseconds, and rounds as discovery's count.
 */
final class AddressSettlement {

    private final AddressDerivation derivation;
    private final String hostId;
    private final Duration window;
    private final int rounds;
    private Ipv4Address current;
    private long since;
    private long sinceRound;

    /**
     * @param rounds    announcement rounds this host must send after its claim last moved
     * @param nowNanos  now; the claim is made now, before any round (discovery's count is 0)
     */
    AddressSettlement(AddressDerivation derivation, String hostId, Duration window, int rounds, long nowNanos) {
        this.derivation = Objects.requireNonNull(derivation, "derivation");
        this.hostId = Objects.requireNonNull(hostId, "hostId");
        this.window = Objects.requireNonNull(window, "window");
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds: expected at least 1, got " + rounds);
        }
        this.rounds = rounds;
        this.current = derivation.candidate(hostId);
        this.since = nowNanos;
    }

    /** The address claimed now. */
    synchronized Ipv4Address current() {
        return current;
    }

    /**
     * Weighs the claims of {@code members}; true when this host's claim moved (the window and the
     * rounds then start again).
     *
     * @param roundsSent how many announcement rounds discovery has sent so far
     */
    synchronized boolean weigh(Collection<Member> members, long nowNanos, long roundsSent) {
        Ipv4Address next = derivation.resolve(hostId, current, members.stream()
                .map(m -> new Claim(m.hostId(), m.overlay(), !m.flags().tentative()))
                .toList());
        if (next.equals(current)) {
            return false;
        }
        current = next;
        since = nowNanos;
        sinceRound = roundsSent;
        return true;
    }

    /** Whether the claim is settled: the window has passed and enough rounds went out since it last moved. */
    synchronized boolean settled(long nowNanos, long roundsSent) {
        return remaining(nowNanos).isZero() && roundsSent - sinceRound >= rounds;
    }

    /** How long until the window has passed, zero once it has (the rounds may still be due). */
    synchronized Duration remaining(long nowNanos) {
        long left = window.toNanos() - (nowNanos - since);
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }
}
