package dev.mooring.overlay.membership;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The other hosts of the cluster, keyed by host id, each with its last accepted announcement and
 * its {@link MemberState}. Accepted announcements come from discovery; {@link #tick()} (called by
 * the discovery loop) ages silent members through the {@link FailureDetector}. Dead members stay:
 * their forwarding entries do no harm and they may come back at a new address.
 *
 * <p>Listeners hear of every change that forwarding or the VIP election acts on (see
 * {@link Member#differsMateriallyFrom}), on the thread that made it, after the table is updated.
 * Safe to use from several threads.
 */
public final class PeerTable {

    /** Told about one member's material change. */
    @FunctionalInterface
    public interface Listener {
        void memberChanged(MemberChange change);
    }

    /** A member before (empty for a new member) and after a change. */
    public record MemberChange(Optional<Member> previous, Member current) {}

    private record Entry(Announcement last, MemberState state, long heardNanos, Instant heardAt) {
        Member member() {
            return new Member(last.hostId(), last.hostName(), last.overlay(), last.mac(), last.underlay(), last.role(),
                    state, last.flags(), heardAt, last.incarnation());
        }
    }

    private final FailureDetector detector;
    private final LongSupplier monotonicNanos;
    private final InstantSource wallClock;
    private final Map<String, Entry> entries = new TreeMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param monotonicNanos a monotonic clock ({@code System::nanoTime}) for the failure detector
     * @param wallClock      for {@link Member#lastHeard()}
     */
    public PeerTable(FailureDetector detector, LongSupplier monotonicNanos, InstantSource wallClock) {
        this.detector = Objects.requireNonNull(detector, "detector");
        this.monotonicNanos = Objects.requireNonNull(monotonicNanos, "monotonicNanos");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    }

    /** A table on the system clocks. */
    public static PeerTable onSystemClock(FailureDetector detector) {
        return new PeerTable(detector, System::nanoTime, InstantSource.system());
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Records an accepted announcement: the member is alive again, or dead at once if it says it is
     * leaving. An announcement older than the one held, by (incarnation, sequence), changes nothing.
     */
    public void accept(Announcement announcement) {
        MemberChange change;
        synchronized (this) {
            Entry old = entries.get(announcement.hostId());
            if (old != null && !announcement.isNewerThan(old.last().incarnation(), old.last().sequence())) {
                return;
            }
            MemberState state = announcement.flags().leaving() ? MemberState.DEAD : MemberState.ALIVE;
            Entry updated = new Entry(announcement, state, monotonicNanos.getAsLong(), wallClock.instant());
            entries.put(announcement.hostId(), updated);
            change = materialChange(old, updated);
        }
        notifyListeners(change == null ? List.of() : List.of(change));
    }

    /** Ages every member by its silence; the discovery loop calls this a few times per announce interval. */
    public void tick() {
        List<MemberChange> changes = new ArrayList<>();
        synchronized (this) {
            long now = monotonicNanos.getAsLong();
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Entry old = e.getValue();
                MemberState assessed = detector.assess(now - old.heardNanos());
                // Silence never revives: a member that said it is leaving stays dead until it speaks again.
                MemberState state = old.state() == MemberState.DEAD ? MemberState.DEAD : assessed;
                if (state != old.state()) {
                    Entry updated = new Entry(old.last(), state, old.heardNanos(), old.heardAt());
                    e.setValue(updated);
                    changes.add(materialChange(old, updated));
                }
            }
        }
        notifyListeners(changes);
    }

    /** Every member, ordered by host id. */
    public synchronized List<Member> snapshot() {
        return entries.values().stream().map(Entry::member).toList();
    }

    public synchronized Optional<Member> member(String hostId) {
        return Optional.ofNullable(entries.get(hostId)).map(Entry::member);
    }

    private static MemberChange materialChange(Entry old, Entry updated) {
        Member current = updated.member();
        if (old == null) {
            return new MemberChange(Optional.empty(), current);
        }
        Member previous = old.member();
        return previous.differsMateriallyFrom(current) ? new MemberChange(Optional.of(previous), current) : null;
    }

    private void notifyListeners(List<MemberChange> changes) {
        for (MemberChange change : changes) {
            for (Listener listener : listeners) {
                listener.memberChanged(change);
            }
        }
    }
}
