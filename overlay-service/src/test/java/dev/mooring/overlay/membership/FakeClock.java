package dev.mooring.overlay.membership;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/** A monotonic and a wall clock that move only when a test says so. */
final class FakeClock implements InstantSource, LongSupplier {
    private long nanos = 1_000_000_000L;
    private Instant wall = Instant.ofEpochMilli(Announcements.NOW);

    void advance(Duration by) {
        nanos += by.toNanos();
        wall = wall.plus(by);
    }

    @Override
    public long getAsLong() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return wall;
    }
}
