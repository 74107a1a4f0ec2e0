package dev.mooring.overlay.service;

import dev.mooring.overlay.address.AddressDerivation;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.identity.IdentityException;
import dev.mooring.overlay.identity.IdentityStore;
import dev.mooring.overlay.hub.HubLink;
import dev.mooring.overlay.identity.OverlayIdentity;
import dev.mooring.overlay.kernel.Kernel;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.membership.Announcement;
import dev.mooring.overlay.membership.AnnouncementCodec;
import dev.mooring.overlay.membership.AnnouncementFilter;
import dev.mooring.overlay.membership.Discovery;
import dev.mooring.overlay.membership.DropCounters;
import dev.mooring.overlay.membership.DropReason;
import dev.mooring.overlay.membership.FailureDetector;
import dev.mooring.overlay.membership.LocalHost;
import dev.mooring.overlay.membership.Member;
import dev.mooring.overlay.membership.MemberState;
import dev.mooring.overlay.membership.PeerTable;
import dev.mooring.overlay.metrics.MetricsServer;
import dev.mooring.overlay.metrics.MetricsSnapshot;
import dev.mooring.overlay.metrics.PrometheusText;
import dev.mooring.overlay.netlink.ErrnoException;
import dev.mooring.overlay.reconcile.DesiredState;
import dev.mooring.overlay.reconcile.Peer;
import dev.mooring.overlay.reconcile.Reconciler;
import dev.mooring.overlay.reconcile.Underlay;
import dev.mooring.overlay.reconcile.UnderlayException;
import dev.mooring.overlay.reconcile.UnderlayWatcher;
import dev.mooring.overlay.vip.ArpAnnouncer;
import dev.mooring.overlay.vip.Candidate;
import dev.mooring.overlay.vip.VipElection;
import dev.mooring.overlay.vip.VipHealthCheck;
import dev.mooring.overlay.vip.VipHolder;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The overlay service: config, identity and kernel in; discovery, the reconcile loop, the VIP,
 * the status file, metrics and systemd readiness out.
 *
 * <p>{@link #run} checks the persisted identity against the config before anything else (a CIDR
 * or VIP that differs is refused and nothing changes), counts this start (the incarnation),
 * starts discovery, settles this host's overlay address (static, persisted, or derived from the
 * host id and resolved against the other hosts' claims, then persisted), makes the first pass (a
 * failure there is fatal and leaves the kernel as it was), writes the status file and sends
 * READY=1: no peer is waited for. From then on it reconciles on kernel events, on membership
 * changes (a member's new underlay address rewrites its forwarding entries at once), on underlay
 * changes (with a burst of announcements) and every {@code resync}, and elects the VIP holder
 * whenever membership or health changes.
 *
 * <p>{@link #stop} releases the VIP, announces that this host is leaving and ends the loop;
 * the overlay itself stays, so a restarted service finds it right and changes nothing.
 */
public final class OverlayService {

    /** Passes run on events; the timer only catches what no event announced. */
    public static final Duration RESYNC = Duration.ofSeconds(30);
    /** A derived address settles when it has not moved for this many announce intervals. */
    public static final int SETTLE_INTERVALS = 3;
    private static final Duration HEALTH_TIMEOUT = Duration.ofMillis(200);

    /** Opens the gratuitous ARP sender; only a control-plane host with discovery needs one. */
    @FunctionalInterface
    public interface ArpOpener {
        ArpAnnouncer open() throws KernelException;
    }

    private final OverlayConfig config;
    private final Kernel kernel;
    private final ArpOpener arpOpener;
    private final SystemdNotifier notifier;
    private final Clock clock;
    private final Duration resync;
    private final Consumer<String> log;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object settling = new Object();
    private final AtomicReference<Optional<Ipv4Address>> heldVip = new AtomicReference<>(Optional.empty());

    // Counters for status and metrics.
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong changesApplied = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong underlayChanges = new AtomicLong();
    private final AtomicLong vipChanges = new AtomicLong();
    private final AtomicLong announcementRounds = new AtomicLong();
    private final AtomicReference<Duration> lastConvergence = new AtomicReference<>();
    /** Hosts already reported for announcing this host's address. */
    private final Set<String> rivals = ConcurrentHashMap.newKeySet();

    // Set once by run(), read by the listeners' threads.
    private volatile Reconciler reconciler;
    private volatile Ipv4Address address;
    private volatile boolean tentative;
    private volatile boolean healthy = true;
    private volatile boolean electing;
    private volatile String addressSource;
    private volatile long incarnation;
    private volatile boolean stopping;
    private UnderlayWatcher watcher;
    private PeerTable table;
    private Discovery discovery;
    private volatile VipHolder vipHolder;
    private ArpAnnouncer arp;
    private ScheduledExecutorService scheduler;
    private volatile MetricsServer metrics;
    private AddressSettlement settlement;
    /** The hub: a second source of peers when overlay.yaml has a hub section; null otherwise. */
    private volatile HubLink hub;

    private OverlayStatus status;
    private String lastLoggedError;

    /**
     * @param arp    opens the gratuitous ARP sender when this host may hold the VIP
     * @param resync the period of the passes no event asked for
     * @param log    one line per event worth telling an operator
     */
    public OverlayService(OverlayConfig config, Kernel kernel, ArpOpener arp, SystemdNotifier notifier,
                          Clock clock, Duration resync, Consumer<String> log) {
        this.config = Objects.requireNonNull(config, "config");
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.arpOpener = Objects.requireNonNull(arp, "arp");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.resync = Objects.requireNonNull(resync, "resync");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Brings the overlay up and keeps it right until {@link #stop}.
     *
     * @throws IdentityException         the persisted identity contradicts the config or cannot be
     *                                   read or written (nothing changed in the kernel)
     * @throws UnderlayException         the underlay is missing or conflicts (nothing changed)
     * @throws Reconciler.ApplyException the kernel refused the first pass (its devices removed again)
     * @throws KernelException           the kernel could not be observed or watched
     * @throws IOException               the status file cannot be written, or discovery cannot bind its port
     */
    public void run() throws IdentityException, UnderlayException, Reconciler.ApplyException, KernelException, IOException {
        try {
            start();
            if (reconciler != null) {
                reconciler.run(resync, this::onOutcome);
            }
        } finally {
            shutDown();
            finished.countDown();
        }
    }

    /** Ends {@link #run} (from a signal handler's thread): the VIP is released, the overlay stays. */
    public void stop(Duration wait) {
        stopping = true;
        Reconciler r = reconciler;
        if (r != null) {
            r.close();
        }
        synchronized (settling) {
            settling.notifyAll();
        }
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

    /** The figures the metrics endpoint shows, now. */
    public MetricsSnapshot metrics() {
        Map<String, Long> byState = new LinkedHashMap<>();
        for (MemberState s : MemberState.values()) {
            byState.put(s.name().toLowerCase(Locale.ROOT), 0L);
        }
        PeerTable t = table;
        if (t != null) {
            for (Member m : t.snapshot()) {
                byState.merge(m.state().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
        }
        Map<String, Long> dropped = new LinkedHashMap<>();
        Discovery d = discovery;
        DropCounters.Snapshot counters = d == null ? new DropCounters().snapshot() : d.counters().snapshot();
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason.metricName(), counters.dropped(reason));
        }
        VipHolder holder = vipHolder;
        return new MetricsSnapshot(byState, announcementRounds.get(), counters.accepted(), dropped, passes.get(),
                changesApplied.get(), failures.get(), Optional.ofNullable(lastConvergence.get()), underlayChanges.get(),
                holder != null && holder.held(), vipChanges.get());
    }

    // ---- start ----------------------------------------------------------------------------------

    private void start() throws IdentityException, UnderlayException, Reconciler.ApplyException, KernelException, IOException {
        IdentityStore identities = new IdentityStore(config.stateDirectory());
        // Before anything else: a config that contradicts the cluster's fixed CIDR or VIP changes nothing.
        Optional<OverlayIdentity> identity = identities.checkFixed(config.overlay(), config.source().toString());
        // Counting this start waits for the disk twice (the file, then its directory: 10 to 30 ms on
        // a virtual disk or an SD card), so it runs beside the kernel's first reading. It is done
        // before the first announcement and before any change to the kernel.
        FutureTask<Long> counting = new FutureTask<>(() -> identities.nextIncarnation(identity));
        Thread.ofPlatform().daemon().name("mooring-incarnation").start(counting);
        KernelState observed;
        try {
            observed = kernel.observe();
            // Refuses a missing underlay before anything starts.
            Underlay.select(config.overlay().underlay(), observed);
            watcher = new UnderlayWatcher(kernel, config.overlay().underlay(), observed, this::onUnderlayChange, log);
            watcher.start();
        } catch (KernelException | UnderlayException | RuntimeException e) {
            // No write of the state directory outlives a failed start; the first failure is the one told.
            try {
                counted(counting);
            } catch (IdentityException | RuntimeException second) {
                e.addSuppressed(second);
            }
            throw e;
        }
        incarnation = counted(counting);

        OverlayConfig.Discovery settings = config.discovery();
        // Two threads: a health check that waits for its timeout never delays a gratuitous ARP frame.
        scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("mooring-vip-", 0).factory());
        if (settings.enabled()) {
            table = PeerTable.onSystemClock(FailureDetector.forInterval(settings.interval()));
            AnnouncementCodec codec = new AnnouncementCodec(config.cluster(), config.overlay().key().orElseThrow());
            discovery = new Discovery(new Discovery.Settings(settings.port(), settings.interval(),
                    config.peers().stream().map(OverlayConfig.StaticPeer::underlay).toList()),
                    codec, new AnnouncementFilter(codec, config.host().id(), clock, new DropCounters()), table,
                    config.host().id(), incarnation, this::localHost, watcher::broadcast);
            table.addListener(change -> onMembershipChange(change.current()));
            // The hub's peers are unicast seeds too: hosts the broadcast does not reach hear each other.
            discovery.seedsFrom(this::hubUnderlays);
        }

        // Built now, started after READY: the peer list saved at the last run is in the first pass,
        // so a restart while the hub is down keeps the forwarding entries only the hub gave.
        config.hub().ifPresent(hubSettings -> hub = new HubLink(hubSettings,
                Optional.of(config.stateDirectory().resolve("hub-peers.json")), config.cluster(), this::hubReport,
                this::onHubPeers, log));
        address = chooseAddress(identity);
        // Refuses an overlapping CIDR or an MTU that does not fit before a word is announced.
        DesiredState.of(config.overlay(), address, List.of(), observed);
        if (discovery != null) {
            discovery.start();
        }
        if (settlement != null) {
            // The tentative claim is announced while it settles.
            settle();
        }
        if (stopping) {
            return;
        }
        tentative = false;

        boolean mayHoldVip = discovery != null && config.role() == OverlayConfig.Role.CONTROL_PLANE;
        if (mayHoldVip) {
            arp = arpOpener.open();
            vipHolder = new VipHolder(config.overlay().vip(), MacAddress.forOverlayAddress(address), this::onVipDecision, arp,
                    VipHolder.Scheduler.of(scheduler), clock, log);
            config.vip().healthPort().ifPresent(port -> {
                VipHealthCheck check = VipHealthCheck.tcp(port, HEALTH_TIMEOUT);
                healthy = check.healthy();
                long every = settings.interval().toNanos();
                scheduler.scheduleWithFixedDelay(() -> onHealth(check.healthy()), every, every, TimeUnit.NANOSECONDS);
            });
        }
        Optional<Supplier<Optional<Ipv4Address>>> elected =
                discovery == null ? Optional.empty() : Optional.of(heldVip::get);
        reconciler = new Reconciler(kernel, config.overlay(), address, this::peers, elected, clock);
        if (stopping) {
            // stop() came before there was a loop to end.
            reconciler.close();
        }

        Reconciler.Pass first = reconciler.start();
        if (!"persisted".equals(addressSource)) {
            // Persisted on first use: once the overlay is up with it, the address is this host's for good.
            identities.create(config.host().id(), address, config.overlay(), clock.instant());
        }
        // The first status must reach the file: k8s-bootstrap waits for it.
        record(first).write(config.statusFile());
        int peerCount = first.desired().neighbours().size();
        log.accept("ready: " + DesiredState.BRIDGE + " " + address + "/" + config.overlay().cidr().prefixLength()
                + " (" + addressSource + ") via " + first.desired().underlay().name() + ", " + peerCount + " peers, "
                + first.applied().size() + " changes in " + first.took().toMillis() + " ms"
                + (discovery == null ? "; discovery off" + (config.overlay().key().isEmpty() ? " (no overlay.key)" : "")
                : "; discovery on udp " + settings.port() + ", incarnation " + incarnation));
        notifySystemd("READY=1\nSTATUS=overlay " + address + " up, " + peerCount + " peers");

        // After READY: the overlay matters more than its figures, and never waits for them.
        if (config.metrics().isPresent()) {
            try {
                metrics = MetricsServer.start(config.metrics().get(), () -> PrometheusText.render(metrics()));
                log.accept("metrics at " + metrics.url());
                // From now on the status file names the endpoint.
                writeStatus(refresh(first));
            } catch (IOException e) {
                // Run without them.
                log.accept(e.getMessage());
            }
        }

        // After READY: the overlay never waits for the hub.
        if (hub != null) {
            hub.start();
        }

        if (vipHolder != null) {
            // Hear the cluster for as long as it takes to call a silent host dead before taking the
            // VIP, so a restarting host does not grab it for a moment from the holder it has not heard yet.
            Duration holdOff = FailureDetector.forInterval(settings.interval()).deadAfter();
            scheduler.schedule(() -> {
                electing = true;
                elect();
            }, holdOff.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The incarnation {@code counting} persisted; its failure as the service's own. */
    private static long counted(FutureTask<Long> counting) throws IdentityException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return counting.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the write finishes either way: wait for it, then pass the interrupt on
                }
            }
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IdentityException identity -> throw identity;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IllegalStateException(e.getCause());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The persisted address, else the static one, else one derived from the host id (settled later). */
    private Ipv4Address chooseAddress(Optional<OverlayIdentity> identity) {
        if (identity.isPresent()) {
            addressSource = "persisted";
            return identity.get().overlay();
        }
        if (config.overlay().address().isPresent()) {
            addressSource = "static";
            return config.overlay().address().get();
        }
        addressSource = "derived";
        AddressDerivation derivation = new AddressDerivation(config.overlay().cidr(), config.overlay().vip());
        if (discovery == null) {
            // Nobody to hear: the candidate is the address.
            return derivation.candidate(config.host().id());
        }
        settlement = new AddressSettlement(derivation, config.host().id(),
                Duration.ofNanos(Math.multiplyExact(config.discovery().interval().toNanos(), SETTLE_INTERVALS)), SETTLE_INTERVALS, System.nanoTime());
        tentative = true;
        return settlement.current();
    }

    /**
     * Waits until the derived address has not moved for the settle window and discovery has sent
     * its rounds since, weighing every claim heard.
     */
    private void settle() {
        long poll = Math.max(1, config.discovery().interval().toMillis() / 5);
        synchronized (settling) {
            while (!stopping) {
                settlement.weigh(table.snapshot(), System.nanoTime(), discovery.rounds());
                address = settlement.current();
                if (settlement.settled(System.nanoTime(), discovery.rounds())) {
                    break;
                }
                Duration left = settlement.remaining(System.nanoTime());
                try {
                    // The window's end, or (once it has passed) a look at the rounds now and then.
                    settling.wait(left.isZero() ? poll : Math.max(1, left.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        address = settlement.current();
        log.accept("overlay address " + address + " derived from host id " + config.host().id() + " and settled");
    }

    // ---- events ---------------------------------------------------------------------------------

    private LocalHost localHost() {
        announcementRounds.incrementAndGet();
        VipHolder holder = vipHolder;
        boolean eligible = config.role() == OverlayConfig.Role.CONTROL_PLANE && healthy;
        return new LocalHost(config.host().name(), address, MacAddress.forOverlayAddress(address),
                watcher.address().orElse(Ipv4Address.parse("0.0.0.0")), config.role(),
                new Announcement.Flags(tentative, false, eligible, holder != null && holder.held()));
    }

    private void onUnderlayChange(UnderlayWatcher.UnderlayChange change) {
        underlayChanges.incrementAndGet();
        log.accept("underlay changed: " + change.describe());
        Discovery d = discovery;
        if (d != null) {
            d.burst();
        }
        Reconciler r = reconciler;
        if (r != null) {
            r.trigger();
        }
    }

    private void onMembershipChange(Member member) {
        if (!tentative && !member.flags().tentative() && member.overlay().equals(address) && rivals.add(member.hostId())) {
            // Two settled hosts on one address (static addresses written twice, or a partition at
            // first boot): neither moves by itself, so say it once per host.
            log.accept("host " + ClusterPeers.name(member) + " (id " + member.hostId() + ", underlay " + member.underlay()
                    + ") announces this host's overlay address " + address + "; overlay traffic between the two is"
                    + " ambiguous. Give one of them another overlay.address (or delete its identity file) and restart it");
        }
        if (settlement != null && tentative) {
            synchronized (settling) {
                settling.notifyAll();
            }
        }
        Reconciler r = reconciler;
        if (r != null) {
            r.trigger();
        }
        elect();
    }

    private void onHealth(boolean now) {
        if (now != healthy) {
            healthy = now;
            log.accept("VIP health check on 127.0.0.1:" + config.vip().healthPort().orElseThrow() + " "
                    + (now ? "passes: this host may hold the VIP" : "fails: this host gives up the VIP"));
            elect();
        }
    }

    /** Runs the election over the members heard and this host, and acts on it. */
    private void elect() {
        VipHolder holder = vipHolder;
        if (holder == null || !electing || stopping) {
            return;
        }
        holder.elect(config.host().id(), candidates());
    }

    private List<Candidate> candidates() {
        return ClusterPeers.candidates(table.snapshot(), ClusterPeers.self(config.host().id(), address, config.role(), healthy));
    }

    /** The VipHolder's decision: remember it and reconcile at once. */
    private void onVipDecision(Optional<Ipv4Address> vip) {
        heldVip.set(vip);
        vipChanges.incrementAndGet();
        log.accept(vip.isPresent() ? "VIP " + vip.get() + " taken" : "VIP " + config.overlay().vip() + " released");
        Reconciler r = reconciler;
        if (r != null) {
            r.trigger();
        }
    }

    private List<Peer> peers() {
        List<Member> members = table == null ? List.of() : table.snapshot();
        HubLink h = hub;
        List<OverlayConfig.StaticPeer> statics = config.peers();
        if (h != null && !h.peers().isEmpty()) {
            // After the members and the file's peers: the hub never overrides what this host heard itself.
            statics = new ArrayList<>(statics);
            statics.addAll(ClusterPeers.hubPeers(h.peers(), address, config.overlay().vip(), config.overlay().cidr()));
        }
        return ClusterPeers.peers(members, statics, address, config.overlay().vip());
    }

    // ---- hub ------------------------------------------------------------------------------------

    /** This host for the hub's heartbeat: the underlay address now, the last pass's state, the VIP. */
    private HubLink.Report hubReport() {
        VipHolder holder = vipHolder;
        OverlayStatus s;
        synchronized (this) {
            s = status;
        }
        return new HubLink.Report(watcher.address().stream().toList(), s == null ? "starting" : s.state(),
                holder != null && holder.held());
    }

    private void onHubPeers() {
        HubLink h = hub;
        log.accept("hub peer list changed: " + (h == null ? 0 : h.peers().size()) + " peers");
        Reconciler r = reconciler;
        if (r != null) {
            r.trigger();
        }
    }

    /** The hub peers' underlay addresses, announced to by unicast each round. */
    private List<Ipv4Address> hubUnderlays() {
        HubLink h = hub;
        if (h == null) {
            return List.of();
        }
        return h.peers().stream().flatMap(p -> p.underlay().stream()).toList();
    }

    // ---- stop -----------------------------------------------------------------------------------

    private void shutDown() {
        if (hub != null) {
            hub.close();
        }
        if (vipHolder != null) {
            boolean held = vipHolder.held();
            vipHolder.close();
            if (held && reconciler != null) {
                // Off the bridge before the others hear we leave, so the VIP never lives on two hosts.
                try {
                    reconciler.reconcileOnce();
                } catch (KernelException | UnderlayException | Reconciler.ApplyException e) {
                    log.accept("could not remove the VIP " + config.overlay().vip() + " on stop: " + e.getMessage());
                }
            }
        }
        if (discovery != null) {
            discovery.leave();
            discovery.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (arp != null) {
            arp.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    // ---- status ---------------------------------------------------------------------------------

    private void onOutcome(Reconciler.Outcome outcome) {
        switch (outcome) {
            case Reconciler.Pass pass -> {
                lastLoggedError = null;
                if (!pass.applied().isEmpty()) {
                    pass.sinceTrigger().ifPresent(lastConvergence::set);
                    log.accept("applied " + pass.applied().size() + " changes in " + pass.took().toMillis() + " ms: "
                            + summary(pass.applied()));
                }
                writeStatus(record(pass));
            }
            case Reconciler.Failure failure -> {
                String message = failure.cause().getMessage();
                passes.incrementAndGet();
                failures.incrementAndGet();
                changesApplied.addAndGet(failure.applied().size());
                synchronized (this) {
                    if (status != null) {
                        status = status.degraded(new OverlayStatus.Reconcile(failure.at().toString(), passes.get(),
                                changesApplied.get(), failure.applied().size(), message));
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
        passes.incrementAndGet();
        changesApplied.addAndGet(pass.applied().size());
        return refresh(pass);
    }

    /** The status after {@code pass} as of now, without counting the pass again. */
    private synchronized OverlayStatus refresh(Reconciler.Pass pass) {
        status = status(pass);
        return status;
    }

    private OverlayStatus status(Reconciler.Pass pass) {
        DesiredState d = pass.desired();
        List<Member> members = table == null ? List.of() : table.snapshot();
        Optional<Candidate> holder = table == null ? Optional.empty() : VipElection.holder(candidates());
        Map<String, String> names = new LinkedHashMap<>();
        members.forEach(m -> names.put(m.hostId(), ClusterPeers.name(m)));
        names.put(config.host().id(), config.host().name());
        VipHolder vh = vipHolder;
        boolean held = vh != null && vh.held();
        OverlayStatus.Vip vip = new OverlayStatus.Vip(config.overlay().vip().toString(), discovery != null,
                holder.map(c -> names.get(c.hostId())).orElse(null), holder.map(Candidate::hostId).orElse(null), held,
                held ? vh.heldSince().map(Object::toString).orElse(null) : null);
        MetricsSnapshot figures = metrics();
        OverlayConfig.Discovery ds = config.discovery();
        List<OverlayStatus.MemberStatus> memberStatus = new ArrayList<>();
        for (Member m : members) {
            memberStatus.add(new OverlayStatus.MemberStatus(m.hostId(), ClusterPeers.name(m), m.overlay().toString(),
                    m.underlay().toString(), m.mac().toString(), m.role().yamlName(),
                    m.state().name().toLowerCase(Locale.ROOT), m.lastHeard().toString(), m.incarnation(),
                    m.flags().tentative(), m.flags().vipEligible(), m.flags().vipHolder()));
        }
        List<OverlayStatus.PeerStatus> peerStatus = peers().stream().map(p -> new OverlayStatus.PeerStatus(p.host(),
                p.address().toString(), p.underlay().toString(), p.mac().toString())).toList();
        return new OverlayStatus(OverlayStatus.VERSION, "ready", config.cluster(), config.host().name(), config.host().id(),
                config.role().yamlName(), incarnation,
                new OverlayStatus.Overlay(address.toString(), addressSource, d.bridge().prefixLength(),
                        config.overlay().cidr().toString(), d.bridge().mac().toString(), config.overlay().vip().toString(),
                        d.bridge().mtu(), DesiredState.BRIDGE, DesiredState.VXLAN, d.vxlan().vni(), d.vxlan().port()),
                new OverlayStatus.Underlay(d.underlay().name(),
                        d.underlay().addresses().stream().map(Ipv4Address::toString).toList(), d.underlay().mtu()),
                vip,
                new OverlayStatus.Discovery(ds.enabled(), ds.port(), ds.interval().toMillis(),
                        figures.announcementsAccepted(), figures.droppedByReason()),
                peerStatus, memberStatus,
                new OverlayStatus.Reconcile(pass.at().toString(), passes.get(), changesApplied.get(), pass.applied().size(), null),
                metrics == null ? null : metrics.url());
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
        String text = changes.stream().limit(3).map(Object::toString).collect(Collectors.joining(", "));
        return changes.size() > 3 ? text + ", ..." : text;
    }
}
