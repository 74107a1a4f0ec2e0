package dev.mooring.overlay.membership;

import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides, datagram by datagram, whether an announcement is accepted: it must decode and
 * authenticate ({@link AnnouncementCodec}), come from another host, carry a timestamp within
 * {@link #DEFAULT_WINDOW} of this host's clock, and be new: a nonce not seen recently and an
 * (incarnation, sequence) pair above the last one accepted from that host. Every outcome is counted
 * in {@link DropCounters}.
 *
 * <p>The window is wide on purpose: edge hosts often boot with an unsynchronised clock, and the
 * (incarnation, sequence) order, not the clock, is what stops a replay within the window. Hosts whose
 * clocks differ by more than the window do not accept each other until NTP (or an RTC) fixes them.
 *
 * <p>Memory is bounded: state is kept only for authenticated announcements, at most
 * {@link #DEFAULT_MEMORY} hosts and nonces, the least recently seen forgotten first. Not thread-safe:
 * one discovery loop owns it.
 */
public final class AnnouncementFilter {

    /** Accepted clock difference between sender and receiver, either way. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    /** Hosts and nonces remembered for replay protection. */
    public static final int DEFAULT_MEMORY = 4096;

    /** The outcome for one datagram. */
    public sealed interface Verdict {
        /** A new, authentic announcement from another host of this cluster. */
        record Accepted(Announcement announcement) implements Verdict {}

        /** Dropped, with the counter it went to and a reason for a debug log. */
        record Dropped(DropReason reason, String detail) implements Verdict {}
    }

    private record Position(long incarnation, long sequence) {}

    private final AnnouncementCodec codec;
    private final String selfHostId;
    private final InstantSource clock;
    private final long windowMillis;
    private final DropCounters counters;
    private final Map<String, Position> lastAccepted;
    private final Map<Nonce, Boolean> recentNonces;

    /** A filter with the default window and memory. */
    public AnnouncementFilter(AnnouncementCodec codec, String selfHostId, InstantSource clock, DropCounters counters) {
        this(codec, selfHostId, clock, DEFAULT_WINDOW, DEFAULT_MEMORY, counters);
    }

    public AnnouncementFilter(AnnouncementCodec codec, String selfHostId, InstantSource clock, Duration window, int memory, DropCounters counters) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.selfHostId = Objects.requireNonNull(selfHostId, "selfHostId");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: expected a positive duration, got " + window);
        }
        if (memory < 1) {
            throw new IllegalArgumentException("memory: expected at least 1, got " + memory);
        }
        this.windowMillis = window.toMillis();
        this.counters = Objects.requireNonNull(counters, "counters");
        this.lastAccepted = bounded(memory, true);
        this.recentNonces = bounded(memory, false);
    }

    private static <K, V> Map<K, V> bounded(int capacity, boolean accessOrder) {
        return new LinkedHashMap<>(16, 0.75f, accessOrder) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    public DropCounters counters() {
        return counters;
    }

    /** Judges one received datagram and counts the outcome. Never throws on any input. */
    public Verdict admit(byte[] datagram) {
        Verdict verdict = judge(datagram);
        switch (verdict) {
            case Verdict.Accepted accepted -> {
                Announcement a = accepted.announcement();
                lastAccepted.put(a.hostId(), new Position(a.incarnation(), a.sequence()));
                recentNonces.put(a.nonce(), Boolean.TRUE);
                counters.countAccepted();
            }
            case Verdict.Dropped dropped -> counters.countDropped(dropped.reason());
        }
        return verdict;
    }

    private Verdict judge(byte[] datagram) {
        Announcement a;
        try {
            a = codec.decode(datagram);
        } catch (AnnouncementFormatException e) {
            return new Verdict.Dropped(e.reason(), e.getMessage());
        }
        if (a.hostId().equals(selfHostId)) {
            return new Verdict.Dropped(DropReason.SELF, "host id '" + a.hostId() + "' is this host's");
        }
        long now = clock.millis();
        // Compared without subtracting from the sender's value, which may be anywhere in the long range.
        if (a.timestamp() < now - windowMillis || a.timestamp() > now + windowMillis) {
            return new Verdict.Dropped(DropReason.STALE, "from '" + a.hostId() + "': timestamp " + a.timestamp() + " is more than "
                    + windowMillis + " ms from this host's clock (" + now + ")");
        }
        if (recentNonces.containsKey(a.nonce())) {
            return new Verdict.Dropped(DropReason.REPLAYED, "from '" + a.hostId() + "': nonce " + a.nonce() + " seen before");
        }
        Position last = lastAccepted.get(a.hostId());
        if (last != null && !a.isNewerThan(last.incarnation(), last.sequence())) {
            return new Verdict.Dropped(DropReason.REPLAYED, "from '" + a.hostId() + "': incarnation " + a.incarnation() + " sequence " + a.sequence()
                    + " is not after the accepted " + last.incarnation() + "/" + last.sequence());
        }
        return new Verdict.Accepted(a);
    }
}
