package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.UnderlaySelector;
import dev.mooring.overlay.kernel.Kernel;
import dev.mooring.overlay.kernel.KernelEvent;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.KernelState;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Notices when the underlay moves: a new or removed IPv4 address on the underlay interface (a DHCP
 * lease), the interface gone, or another interface now matching the selector (a different NIC,
 * even under another name). On every link or address event it observes the kernel again, selects
 * the underlay as a reconcile pass would and compares it with the last one; a difference goes to
 * the listener at once, so the service can announce a burst and reconcile without waiting for the
 * periodic pass.
 *
 * <p>The decision ({@link #compare}, {@link #isRelevant}) is pure; the watch is the kernel's.
 */
public final class UnderlayWatcher implements AutoCloseable {

    /**
     * Re-observations after the last relevant event. The kernel sends no event here for routes, and
     * DHCP clients add the default route just after the address: with {@code underlay: auto} the new
     * address is only usable once that route exists, which these later looks catch.
     */
    public static final List<Duration> RECHECKS = List.of(Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(250),
            Duration.ofSeconds(1));

    /**
     * The underlay before and after a change; either side is empty while no interface matches.
     */
    public record UnderlayChange(Optional<Underlay> before, Optional<Underlay> after) {
        /** One line for the log: {@code eth0 198.51.100.11 -> eth0 203.0.113.11}. */
        public String describe() {
            return text(before) + " -> " + text(after);
        }

        private static String text(Optional<Underlay> u) {
            return u.map(x -> x.name() + " " + (x.addresses().isEmpty() ? "(no IPv4 address)"
                    : String.join(", ", x.addresses().stream().map(Ipv4Address::toString).toList()))).orElse("(none)");
        }
    }

    private final Kernel kernel;
    private final UnderlaySelector selector;
    private final Consumer<UnderlayChange> listener;
    private final Consumer<String> log;
    private final Object lock = new Object();
    private Optional<Underlay> current;
    private Optional<Ipv4Address> broadcast;
    private ScheduledExecutorService checks;
    private AutoCloseable watch;
    private List<ScheduledFuture<?>> pending = List.of();

    /**
     * @param initial  the observation the service started from
     * @param listener told of every change, on the watcher's thread
     * @param log      one line when the kernel cannot be observed
     */
    public UnderlayWatcher(Kernel kernel, UnderlaySelector selector, KernelState initial,
                           Consumer<UnderlayChange> listener, Consumer<String> log) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.selector = Objects.requireNonNull(selector, "selector");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.log = Objects.requireNonNull(log, "log");
        this.current = select(selector, initial);
        this.broadcast = broadcast(current, initial);
    }

    /**
     * The directed broadcast address of the underlay's first IPv4 address ({@code 198.51.100.255}
     * for {@code 198.51.100.11/24}); empty without an address, or for a /31 or /32, which have none.
     */
    public static Optional<Ipv4Address> broadcast(Optional<Underlay> underlay, KernelState observed) {
        return underlay.flatMap(u -> observed.addressesOf(u.index()).stream().findFirst())
                .filter(a -> a.prefixLength() < 31)
                .map(a -> new Ipv4Address(a.address().bits() | (a.prefixLength() == 0 ? -1 : -1 >>> a.prefixLength())));
    }

    /** True for the events that can move the underlay: links, IPv4 addresses, lost events. */
    public static boolean isRelevant(KernelEvent event) {
        return switch (event) {
            case KernelEvent.LinkChanged l -> !DesiredState.isMooringLink(l.name());
            case KernelEvent.AddressChanged a -> true;
            case KernelEvent.Overrun o -> true;
            case KernelEvent.NeighbourChanged n -> false;
        };
    }

    /** The underlay {@code selector} picks in {@code observed}, empty when none matches. */
    public static Optional<Underlay> select(UnderlaySelector selector, KernelState observed) {
        try {
            return Optional.of(Underlay.select(selector, observed));
        } catch (UnderlayException e) {
            return Optional.empty();
        }
    }

    /**
     * The change from {@code before} to {@code after}, if it matters to peers: another interface
     * (by index or name), the interface gone or back, or another set of IPv4 addresses. The MTU
     * alone is no change for peers (the reconciler follows it on its own).
     */
    public static Optional<UnderlayChange> compare(Optional<Underlay> before, Optional<Underlay> after) {
        if (before.isEmpty() && after.isEmpty()) {
            return Optional.empty();
        }
        if (before.isEmpty() || after.isEmpty()) {
            return Optional.of(new UnderlayChange(before, after));
        }
        Underlay b = before.get();
        Underlay a = after.get();
        boolean moved = b.index() != a.index() || !b.name().equals(a.name())
                || !new HashSet<>(b.addresses()).equals(new HashSet<>(a.addresses()));
        return moved ? Optional.of(new UnderlayChange(before, after)) : Optional.empty();
    }

    /** The underlay as last seen. */
    public Optional<Underlay> current() {
        synchronized (lock) {
            return current;
        }
    }

    /** The underlay's first IPv4 address as last seen, where this host is reached now. */
    public Optional<Ipv4Address> address() {
        return current().flatMap(u -> u.addresses().stream().findFirst());
    }

    /** The underlay subnet's broadcast address as last seen; see {@link #broadcast(Optional, KernelState)}. */
    public Optional<Ipv4Address> broadcast() {
        synchronized (lock) {
            return broadcast;
        }
    }

    /** Starts watching the kernel; changes go to the listener until {@link #close()}. */
    public void start() throws KernelException {
        synchronized (lock) {
            if (checks != null) {
                throw new IllegalStateException("the underlay watcher is already started");
            }
            checks = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("mooring-underlay").factory());
        }
        watch = kernel.watch(event -> {
            if (isRelevant(event)) {
                schedule();
            }
        });
    }

    /** Looks again now and a little later ({@link #RECHECKS}), as after an event. */
    public void recheck() {
        schedule();
    }

    /** Observes once and reports a change; what the scheduled checks run. */
    public Optional<UnderlayChange> check() {
        KernelState observed;
        try {
            observed = kernel.observe();
        } catch (KernelException e) {
            log.accept("cannot observe the underlay: " + e.getMessage());
            return Optional.empty();
        }
        Optional<UnderlayChange> change;
        synchronized (lock) {
            Optional<Underlay> now = select(selector, observed);
            change = compare(current, now);
            current = now;
            broadcast = broadcast(now, observed);
        }
        change.ifPresent(listener);
        return change;
    }

    private void schedule() {
        synchronized (lock) {
            if (checks == null || checks.isShutdown()) {
                return;
            }
            // A newer event restarts the series: the later looks count from the last event.
            pending.forEach(f -> f.cancel(false));
            pending = RECHECKS.stream()
                    .<ScheduledFuture<?>>map(d -> checks.schedule(this::check, d.toNanos(), TimeUnit.NANOSECONDS))
                    .toList();
        }
    }

    @Override
    public void close() {
        AutoCloseable w = watch;
        if (w != null) {
            try {
                w.close();
            } catch (Exception e) {
                log.accept("cannot stop the underlay watch: " + e.getMessage());
            }
        }
        synchronized (lock) {
            if (checks != null) {
                checks.shutdownNow();
            }
        }
    }
}
