package dev.mooring.overlay.metrics;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The overlay service's figures at one moment, as {@link PrometheusText} renders them.
 *
 * @param peersByState          members of the cluster by state name ({@code alive}, {@code suspect},
 *                              {@code dead}), every state present, zeros included
 * @param announcementRounds    announcement rounds sent (each goes to the broadcast address and to
 *                              every known peer)
 * @param announcementsAccepted announcements from other hosts that passed every check
 * @param droppedByReason       datagrams dropped, by reason ({@code bad-hmac}, {@code replayed}, ...)
 * @param lastConvergence       from the last event that changed what the kernel should hold (an
 *                              underlay or membership change) to the kernel holding it
 * @param vipHeld               this host holds the VIP now
 */
public record MetricsSnapshot(Map<String, Long> peersByState, long announcementRounds, long announcementsAccepted,
                              Map<String, Long> droppedByReason, long reconcilePasses, long reconcileChanges,
                              long reconcileFailures, Optional<Duration> lastConvergence, long underlayChanges,
                              boolean vipHeld, long vipChanges) {

    public MetricsSnapshot {
        peersByState = Collections.unmodifiableMap(new LinkedHashMap<>(peersByState));
        droppedByReason = Collections.unmodifiableMap(new LinkedHashMap<>(droppedByReason));
    }
}
