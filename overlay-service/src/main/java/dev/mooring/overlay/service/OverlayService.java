package dev.mooring.overlay.service;

import dev.mooring.overlay.address.AddressSource;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.kernel.Kernel;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.reconcile.DesiredState;
import dev.mooring.overlay.reconcile.Peer;
import dev.mooring.overlay.reconcile.Reconciler;
import dev.mooring.overlay.reconcile.UnderlayException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The overlay service: config and kernel in, reconcile loop, status file and systemd readiness
 * out. {@link #run} makes the first pass (a failure there is fatal and leaves the kernel as it
 * was), writes the status file, sends READY=1, then reconciles on kernel events and every
 * {@code resync} until {@link #stop}. Stopping never tears the overlay down: a restarted service
 * finds it right and changes nothing.
 */
public final class OverlayService {

    /** Passes run on kernel events; the timer only catches what no event announced. */
    public static final Duration RESYNC = Duration.ofSeconds(30);

    private final OverlayConfig config;
    private final Ipv4Address address;
    private final Kernel kernel;
    private final SystemdNotifier notifier;
    private final Clock clock;
    private final Duration resync;
    private final Consumer<String> log;
    private final Reconciler reconciler;
    private final CountDownLatch finished = new CountDownLatch(1);
    private OverlayStatus status;
    private long passes;
    private long changesApplied;
    private String lastLoggedError;

    public OverlayService(OverlayConfig config, AddressSource addresses, Kernel kernel, SystemdNotifier notifier,
                          Clock clock, Duration resync, Consumer<String> log) {
        this.config = config;
        this.address = addresses.overlayAddress();
        this.kernel = kernel;
        this.notifier = notifier;
        this.clock = clock;
        this.resync = resync;
        this.log = log;
        List<Peer> peers = config.peers().stream().map(p -> new Peer(p.host(), p.address(), p.underlay())).toList();
        this.reconciler = new Reconciler(kernel, config.overlay(), address, () -> peers, clock);
    }

    /**
     * Brings the overlay up and keeps it right until {@link #stop}.
     *
     * @throws UnderlayException             the underlay is missing or conflicts (nothing changed)
     * @throws Reconciler.ApplyException     the kernel refused the first pass (its devices removed again)
     * @throws KernelException               the kernel could not be observed or watched
     * @throws IOException                   the status file cannot be written
     */
    public void run() throws UnderlayException, Reconciler.ApplyException, KernelException, IOException {
        try {
            Reconciler.Pass first = reconciler.start();
            // The first status must reach the file: k8s-bootstrap waits for it.
            record(first).write(config.statusFile());
            log.accept("ready: " + DesiredState.BRIDGE + " " + address + "/" + config.overlay().cidr().prefixLength()
                    + " via " + first.desired().underlay().name() + ", " + config.peers().size() + " peers, "
                    + first.applied().size() + " changes in " + first.took().toMillis() + " ms");
            notifySystemd("READY=1\nSTATUS=overlay " + address + " up, " + config.peers().size() + " peers");
            reconciler.run(resync, this::onOutcome);
        } finally {
            finished.countDown();
        }
    }

    /** Ends {@link #run} (from a signal handler's thread), leaving the overlay in place. */
    public void stop(Duration wait) {
        reconciler.close();
        try {
            finished.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (status != null) {
                writeStatus(status.withState("stopped"));
            }
        }
        notifySystemd("STOPPING=1");
    }

    private void onOutcome(Reconciler.Outcome outcome) {
        switch (outcome) {
            case Reconciler.Pass pass -> {
                lastLoggedError = null;
                if (!pass.applied().isEmpty()) {
                    log.accept("repaired: " + pass.applied().size() + " changes in " + pass.took().toMillis() + " ms: "
                            + summary(pass.applied()));
                }
                writeStatus(record(pass));
            }
            case Reconciler.Failure failure -> {
                String message = failure.cause().getMessage();
                synchronized (this) {
                    passes++;
                    changesApplied += failure.applied().size();
                    if (status != null) {
                        status = new OverlayStatus(status.version(), "degraded", status.host(), status.role(),
                                status.overlay(), status.underlay(), status.peers(), new OverlayStatus.Reconcile(
                                failure.at().toString(), passes, changesApplied, failure.applied().size(), message));
                        writeStatus(status);
                    }
                }
                if (!Objects.equals(message, lastLoggedError)) {
                    log.accept("pass failed, retrying: " + message);
                    lastLoggedError = message;
                }
            }
        }
    }

    private synchronized OverlayStatus record(Reconciler.Pass pass) {
        passes++;
        changesApplied += pass.applied().size();
        status = status(pass);
        return status;
    }

    private OverlayStatus status(Reconciler.Pass pass) {
        DesiredState d = pass.desired();
        return new OverlayStatus(OverlayStatus.VERSION, "ready", config.host().name(), config.role().yamlName(),
                new OverlayStatus.Overlay(address.toString(), d.bridge().prefixLength(), config.overlay().cidr().toString(),
                        d.bridge().mac().toString(), config.overlay().vip().toString(), d.bridge().mtu(),
                        DesiredState.BRIDGE, DesiredState.VXLAN, d.vxlan().vni(), d.vxlan().port()),
                new OverlayStatus.Underlay(d.underlay().name(),
                        d.underlay().addresses().stream().map(Ipv4Address::toString).toList(), d.underlay().mtu()),
                config.peers().stream().map(p -> new OverlayStatus.PeerStatus(p.host(), p.address().toString(),
                        p.underlay().toString(), p.mac().toString())).toList(),
                new OverlayStatus.Reconcile(pass.at().toString(), passes, changesApplied, pass.applied().size(), null));
    }

    private void writeStatus(OverlayStatus s) {
        try {
            s.write(config.statusFile());
        } catch (IOException e) {
            log.accept("cannot write the status file " + config.statusFile() + ": " + e.getMessage());
        }
    }

    private void notifySystemd(String state) {
        try {
            notifier.notify(state);
        } catch (ErrnoException e) {
            log.accept("cannot notify systemd: " + e.getMessage());
        }
    }

    private static String summary(List<?> changes) {
        String text = changes.stream().limit(3).map(Object::toString).collect(java.util.stream.Collectors.joining(", "));
        return changes.size() > 3 ? text + ", ..." : text;
    }
}
