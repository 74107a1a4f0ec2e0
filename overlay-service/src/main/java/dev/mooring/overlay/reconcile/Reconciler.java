package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.kernel.Kernel;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.KernelState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Observe, plan, apply, repeat: keeps the kernel at the {@link DesiredState}. A pass runs on
 * kernel events (coalesced over {@link #COALESCE}, so a burst of events, including those of our
 * own changes, costs one or two passes) and at least every {@code period}; after a failed pass
 * it retries with a growing delay. A pass over a kernel that is already right applies nothing,
 * which is what makes a restart of the service invisible to the network.
 */
public final class Reconciler implements AutoCloseable {

    /** How long to wait after an event for the rest of its burst. */
    public static final Duration COALESCE = Duration.ofMillis(5);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LAST_RETRY = Duration.ofSeconds(5);

    /** The result of one pass; {@link Pass} or {@link Failure}. */
    public sealed interface Outcome {
        Instant at();
    }

    /**
     * A pass that reached the desired state.
     *
     * @param applied      the changes this pass made (empty when the kernel was already right)
     * @param sinceTrigger from the first {@link #trigger()} this pass answers to its end: how long
     *                     the kernel took to follow a change (empty for a periodic pass)
     */
    public record Pass(Instant at, DesiredState desired, List<KernelChange> applied, Duration took,
                       Optional<Duration> sinceTrigger) implements Outcome {}

    /** A pass that could not finish; the next one retries. */
    public record Failure(Instant at, Exception cause, List<KernelChange> applied) implements Outcome {}

    /** A pass that failed at the first change it could not make; {@code applied} were made before it. */
    public static final class ApplyException extends Exception {
        private final transient List<KernelChange> applied;
        private final transient KernelChange failed;

        ApplyException(KernelChange failed, List<KernelChange> applied, KernelException cause) {
            super(cause.getMessage(), cause);
            this.failed = failed;
            this.applied = List.copyOf(applied);
        }

        public KernelChange failed() {
            return failed;
        }

        public List<KernelChange> applied() {
            return applied;
        }

        public int errno() {
            return ((KernelException) getCause()).errno();
        }
    }

    private final Kernel kernel;
    private final OverlaySettings settings;
    private final Ipv4Address address;
    private final Supplier<? extends Collection<Peer>> peers;
    private final Optional<Supplier<Optional<Ipv4Address>>> heldVip;
    private final Clock clock;
    private final Object lock = new Object();
    private boolean dirty;
    /** System.nanoTime() of the first trigger not yet answered by a pass, 0 for none. */
    private long triggeredAt;
    private boolean stopped;

    /**
     * @param address this host's overlay address
     * @param peers   the current peers, asked on every pass
     */
    public Reconciler(Kernel kernel, OverlaySettings settings, Ipv4Address address,
                      Supplier<? extends Collection<Peer>> peers, Clock clock) {
        this(kernel, settings, address, peers, Optional.empty(), clock);
    }

    /**
     * @param address this host's overlay address
     * @param peers   the current peers, asked on every pass
     * @param heldVip the VIP election's answer, asked on every pass: the VIP while this host holds
     *                it, empty while it does not; no supplier when no election runs here (the VIP
     *                is then left alone on the bridge)
     */
    public Reconciler(Kernel kernel, OverlaySettings settings, Ipv4Address address,
                      Supplier<? extends Collection<Peer>> peers, Optional<Supplier<Optional<Ipv4Address>>> heldVip,
                      Clock clock) {
        this.kernel = kernel;
        this.settings = settings;
        this.address = address;
        this.peers = peers;
        this.heldVip = heldVip;
        this.clock = clock;
    }

    /** The desired state for what the kernel shows now (nothing is changed). */
    public DesiredState desired(KernelState observed) throws UnderlayException {
        return heldVip.isPresent()
                ? DesiredState.of(settings, address, peers.get(), heldVip.get().get(), observed)
                : DesiredState.of(settings, address, peers.get(), observed);
    }

    /** One pass: observe, plan, apply. */
    public Pass reconcileOnce() throws KernelException, UnderlayException, ApplyException {
        long start = System.nanoTime();
        long trigger;
        synchronized (lock) {
            trigger = triggeredAt;
            triggeredAt = 0;
        }
        KernelState observed = kernel.observe();
        DesiredState desired = desired(observed);
        List<KernelChange> plan = Planner.plan(desired, observed);
        List<KernelChange> applied = new ArrayList<>(plan.size());
        for (KernelChange change : plan) {
            try {
                kernel.apply(change);
            } catch (KernelException e) {
                throw new ApplyException(change, applied, e);
            }
            applied.add(change);
        }
        long end = System.nanoTime();
        return new Pass(clock.instant(), desired, List.copyOf(applied), Duration.ofNanos(end - start),
                trigger == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(end - trigger)));
    }

    /**
     * The first pass of a service start. If a change fails, the devices this pass created are
     * deleted again, so a start that cannot finish leaves the kernel as it found it.
     */
    public Pass start() throws KernelException, UnderlayException, ApplyException {
        try {
            return reconcileOnce();
        } catch (ApplyException e) {
            for (KernelChange c : e.applied().reversed()) {
                String created = switch (c) {
                    case KernelChange.AddBridge b -> b.name();
                    case KernelChange.AddVxlan v -> v.name();
                    default -> null;
                };
                if (created != null) {
                    try {
                        kernel.apply(new KernelChange.DeleteLink(created));
                    } catch (KernelException rollback) {
                        e.addSuppressed(rollback);
                    }
                }
            }
            throw e;
        }
    }

    /**
     * Runs passes until {@link #close()}: one at once (a change made before the watch began has
     * sent its event to nobody), then on kernel events and every {@code period}. Blocks the
     * calling thread; every outcome goes to {@code outcomes}.
     */
    public void run(Duration period, Consumer<Outcome> outcomes) throws KernelException {
        AutoCloseable watch = kernel.watch(event -> trigger());
        try {
            trigger();
            Duration retry = Duration.ZERO;
            while (awaitTrigger(retry.isZero() ? period : retry)) {
                try {
                    outcomes.accept(reconcileOnce());
                    retry = Duration.ZERO;
                } catch (KernelException | UnderlayException | ApplyException e) {
                    List<KernelChange> applied = e instanceof ApplyException a ? a.applied() : List.of();
                    outcomes.accept(new Failure(clock.instant(), e, applied));
                    retry = retry.isZero() ? FIRST_RETRY : min(retry.multipliedBy(2), LAST_RETRY);
                }
            }
        } finally {
            try {
                watch.close();
            } catch (Exception e) {
                // The loop is over either way; a watch that fails to close only leaks until exit.
                outcomes.accept(new Failure(clock.instant(), e, List.of()));
            }
        }
    }

    /** Asks for a pass soon (what a kernel event does). */
    public void trigger() {
        synchronized (lock) {
            if (triggeredAt == 0) {
                triggeredAt = System.nanoTime();
            }
            dirty = true;
            lock.notifyAll();
        }
    }

    /** Ends {@link #run}; the kernel is left as it is. */
    @Override
    public void close() {
        synchronized (lock) {
            stopped = true;
            lock.notifyAll();
        }
    }

    /** Waits for an event or the timeout, then for the event's burst; false once stopped. */
    private boolean awaitTrigger(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            try {
                while (!dirty && !stopped) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    lock.wait(Math.max(1, left / 1_000_000));
                }
                long burstEnd = System.nanoTime() + COALESCE.toNanos();
                for (long left = COALESCE.toNanos(); dirty && !stopped && left > 0; left = burstEnd - System.nanoTime()) {
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
            dirty = false;
            return !stopped;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
