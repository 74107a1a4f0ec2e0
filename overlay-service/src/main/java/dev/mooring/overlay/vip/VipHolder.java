package dev.mooring.overlay.vip;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.reconcile.DesiredState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Turns VIP election results into actions on this host. On becoming the holder it tells the
 * reconciler to hold the VIP (a /32 on {@code mooring0}) and announces it by gratuitous ARP: a
 * request at 0 ms, a reply at 100 ms and a request at 300 ms, so a lost frame or a reconcile pass
 * that lands a little later is covered. On losing the election, or at {@link #close()}, it
 * releases at once: the reconciler drops the VIP and announcements not yet sent are cancelled, so
 * this host never advertises an address it no longer has.
 *
 * <p>The announcer and the scheduler's threads belong to the caller. The reconciler callback is
 * called with the lock held, so holds and releases reach it in the order they happened; it must
 * only record the value and wake the reconciler.
 */
public final class VipHolder implements AutoCloseable {

    /** The first frames: request and reply, 100 ms apart, from the moment the VIP is taken. */
    static final int FIRST_FRAMES = 2;
    static final Duration FRAME_INTERVAL = Duration.ofMillis(100);
    /** The last frame (a request, continuing the alternation) goes out 300 ms after taking the VIP. */
    static final Duration LAST_FRAME_AT = Duration.ofMillis(300);

    /** Runs a task after a delay; a {@link ScheduledExecutorService} in the service, a manual clock in tests. */
    @FunctionalInterface
    public interface Scheduler {
        /** Runs {@code task} once after {@code delay}; cancelling the future with interruption stops it. */
        Future<?> schedule(Duration delay, Runnable task);

        static Scheduler of(ScheduledExecutorService executor) {
            return (delay, task) -> executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private final Ipv4Address vip;
    private final MacAddress mac;
    private final Consumer<Optional<Ipv4Address>> reconciler;
    private final ArpAnnouncer announcer;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Consumer<String> log;
    private final List<Future<?>> announcements = new ArrayList<>();
    private Instant heldSince;
    private long term;
    private boolean closed;

    /**
     * @param vip        the configured VIP
     * @param mac        this host's bridge MAC, which the VIP resolves to while held
     * @param reconciler receives the VIP when this host takes it and empty when it lets it go
     *                   (what {@link DesiredState}'s held VIP becomes)
     * @param log        one line per announcement that failed
     */
    public VipHolder(Ipv4Address vip, MacAddress mac, Consumer<Optional<Ipv4Address>> reconciler, ArpAnnouncer announcer,
                     Scheduler scheduler, Clock clock, Consumer<String> log) {
        this.vip = Objects.requireNonNull(vip, "vip");
        this.mac = Objects.requireNonNull(mac, "mac");
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
        this.announcer = Objects.requireNonNull(announcer, "announcer");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Runs the election over {@code members} (this host included) and acts on its result. */
    public void elect(String hostId, Collection<Candidate> members) {
        update(VipElection.holds(hostId, members));
    }

    /** Takes the VIP when {@code holder} and this host does not hold it yet; releases it when not. */
    public synchronized void update(boolean holder) {
        if (closed || holder == (heldSince != null)) {
            return;
        }
        if (holder) {
            take();
        } else {
            release();
        }
    }

    /** True while this host holds the VIP. */
    public synchronized boolean held() {
        return heldSince != null;
    }

    /** When this host took the VIP, while it holds it. */
    public synchronized Optional<Instant> heldSince() {
        return Optional.ofNullable(heldSince);
    }

    /** Releases the VIP at once (shutdown); later election results are ignored. */
    @Override
    public synchronized void close() {
        if (!closed) {
            if (heldSince != null) {
                release();
            }
            closed = true;
        }
    }

    private void take() {
        heldSince = clock.instant();
        long mine = ++term;
        reconciler.accept(Optional.of(vip));
        announcements.add(scheduler.schedule(Duration.ZERO, () -> announce(mine, FIRST_FRAMES, FRAME_INTERVAL)));
        announcements.add(scheduler.schedule(LAST_FRAME_AT, () -> announce(mine, 1, Duration.ZERO)));
    }

    private void release() {
        heldSince = null;
        term++;
        reconciler.accept(Optional.empty());
        announcements.forEach(f -> f.cancel(true));
        announcements.clear();
    }

    private void announce(long forTerm, int count, Duration interval) {
        synchronized (this) {
            if (forTerm != term) {
                return;
            }
        }
        try {
            announcer.announce(DesiredState.BRIDGE, vip, mac, count, interval);
        } catch (KernelException e) {
            boolean current;
            synchronized (this) {
                current = forTerm == term;
            }
            // An announcement interrupted by a release failed on purpose; only a real failure is news.
            if (current) {
                log.accept("VIP " + vip + ": gratuitous ARP on " + DesiredState.BRIDGE + " failed: " + e.getMessage()
                        + "; peers reach the VIP here once their ARP entries expire");
            }
        }
    }
}
