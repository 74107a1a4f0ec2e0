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
 * more). Pure: time is given, in monotonic nanoseconds.
 */
final class AddressSettlement {

    private final AddressDerivation derivation;
    private final String hostId;
    private final Duration window;
    private Ipv4Address current;
    private long since;

    AddressSettlement(AddressDerivation derivation, String hostId, Duration window, long nowNanos) {
        this.derivation = Objects.requireNonNull(derivation, "derivation");
        this.hostId = Objects.requireNonNull(hostId, "hostId");
        this.window = Objects.requireNonNull(window, "window");
        this.current = derivation.candidate(hostId);
        this.since = nowNanos;
    }

    /** The address claimed now. */
    synchronized Ipv4Address current() {
        return current;
    }

    /**
     * Weighs the claims of {@code members}; true when this host's claim moved (the window then
     * starts again).
     */
    synchronized boolean weigh(Collection<Member> members, long nowNanos) {
        Ipv4Address next = derivation.resolve(hostId, current, members.stream()
                .map(m -> new Claim(m.hostId(), m.overlay(), !m.flags().tentative()))
                .toList());
        if (next.equals(current)) {
            return false;
        }
        current = next;
        since = nowNanos;
        return true;
    }

    /** How long until the claim is settled, zero once it is. */
    synchronized Duration remaining(long nowNanos) {
        long left = window.toNanos() - (nowNanos - since);
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }
}
