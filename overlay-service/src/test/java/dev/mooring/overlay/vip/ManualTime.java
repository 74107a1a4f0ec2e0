package dev.mooring.overlay.vip;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/** A clock and a scheduler that move only when the test says so; due tasks run on the test's thread. */
final class ManualTime extends Clock implements VipHolder.Scheduler {

    private record Due(long at, long order, FutureTask<?> task) {}

    private final List<Due> queue = new ArrayList<>();
    private long nowMillis;
    private long order;

    @Override
    public long millis() {
        return nowMillis;
    }

    /** Moves time forward by {@code step}, running every task that falls due on the way, in time order. */
    void advance(Duration step) {
        long end = nowMillis + step.toMillis();
        while (true) {
            Due next = queue.stream().filter(d -> d.at() <= end).min(Comparator.comparingLong(Due::at).thenComparingLong(Due::order))
                    .orElse(null);
            if (next == null) {
                break;
            }
            queue.remove(next);
            nowMillis = Math.max(nowMillis, next.at());
            next.task().run(); // a cancelled FutureTask does nothing
        }
        nowMillis = end;
    }

    @Override
    public Future<?> schedule(Duration delay, Runnable task) {
        FutureTask<?> future = new FutureTask<>(task, null);
        queue.add(new Due(nowMillis + delay.toMillis(), order++, future));
        return future;
    }

    @Override
    public Instant instant() {
        return Instant.EPOCH.plusMillis(nowMillis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock has one zone");
    }
}
