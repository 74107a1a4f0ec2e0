package dev.mooring.overlay.membership;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many datagrams were accepted and how many were dropped, per {@link DropReason}. Written by
 * the discovery loop, read from any thread (metrics, status, tests).
 */
public final class DropCounters {

    private final LongAdder accepted = new LongAdder();
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);

    public DropCounters() {
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
    }

    void countAccepted() {
        accepted.increment();
    }

    void countDropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    public Snapshot snapshot() {
        Map<DropReason, Long> copy = new EnumMap<>(DropReason.class);
        dropped.forEach((reason, count) -> copy.put(reason, count.sum()));
        return new Snapshot(accepted.sum(), Collections.unmodifiableMap(copy));
    }

    /** The counters at one moment; {@link #dropped()} has every reason, zeros included. */
    public record Snapshot(long accepted, Map<DropReason, Long> dropped) {
        public Snapshot {
            dropped = Collections.unmodifiableMap(new EnumMap<>(dropped));
        }

        public long dropped(DropReason reason) {
            return dropped.getOrDefault(reason, 0L);
        }

        public long droppedTotal() {
            return dropped.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
