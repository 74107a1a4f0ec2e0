package dev.mooring.overlay.membership;

import dev.mooring.overlay.ServiceLog;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.ClusterKey;
import dev.mooring.overlay.netlink.NetworkNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Finds the other hosts of the cluster on the underlay: one UDP socket on {@code 0.0.0.0:port}
 * that announces this host every interval by broadcast to the underlay subnet and by unicast to
 * every known member and seed, and feeds what it receives through an {@link AnnouncementFilter}
 * into a {@link PeerTable}.
 *
 * <p>Two threads: {@code mooring-discovery} owns the peer table and does everything (sending,
 * failure detection, judging datagrams); {@code mooring-discovery-rx} only blocks in receive and
 * hands each datagram over. The socket is a plain {@link DatagramChannel}: one socket and a few
 * datagrams a second need no event-loop framework, and the JDK's channel costs the daemon nothing
 * at start (netty's transport cost about 80 ms of CPU there; docs/runtime.md).
 *
 * <p>A newly heard member (new, back from the dead, or restarted) gets an immediate unicast reply,
 * so joining takes one round trip rather than one interval.
 *
 * <p>Every datagram sent carries its own sequence number and nonce, so a receiver that gets both
 * the broadcast and the unicast copy accepts both instead of counting one as a replay. Every host
 * of a cluster listens on the same port. Nothing a peer sends can stop the loop: each datagram is
 * judged on its own, datagrams over {@link AnnouncementCodec#MAX_DATAGRAM} bytes are read
 * truncated and dropped as oversized.
 */
public final class Discovery implements AutoCloseable {

    /** Mooring's discovery port (memberlist's 7946 is left alone). */
    public static final int DEFAULT_PORT = 4793;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);
    /** When {@link #burst()} sends, counted from the call: fast first, then backing off. */
    public static final List<Duration> BURST = List.of(Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(60),
            Duration.ofMillis(150), Duration.ofMillis(300));
    /** When {@link #leave()} sends its leaving copies. */
    static final List<Duration> LEAVE = List.of(Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(30));
    /** Failure detection is checked this many times per interval. */
    private static final int TICKS_PER_INTERVAL = 5;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);
    private static final String THREAD = "mooring-discovery";

    /**
     * @param port     UDP port, the same on every host of the cluster
     * @param interval time between periodic announcements
     * @param seeds    underlay addresses always announced to by unicast (static peers), besides members
     */
    public record Settings(int port, Duration interval, List<Ipv4Address> seeds) {
        public Settings {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: expected 1..65535, got " + port);
            }
            if (interval.toMillis() < 10) {
                throw new IllegalArgumentException("interval: expected at least 10 ms, got " + interval);
            }
            seeds = List.copyOf(seeds);
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_PORT, DEFAULT_INTERVAL, List.of());
        }
    }

    private final Settings settings;
    private final AnnouncementCodec codec;
    private final AnnouncementFilter filter;
    private final PeerTable table;
    private final String hostId;
    private final long incarnation;
    private final Supplier<LocalHost> self;
    private final Supplier<Optional<Ipv4Address>> broadcastAddress;
    private final InstantSource clock;

    /** Periodic announcement rounds run so far (sent or not: the underlay may have no address yet). */
    private volatile long rounds;
    // Owned by the discovery thread once started.
    private long sequence;
    private boolean leaving;
    private ScheduledFuture<?> announcing;

    private ScheduledExecutorService loop;
    private volatile Thread loopThread;
    private Thread receiver;
    private volatile DatagramChannel channel;
    /** Seeds that change at run time (the hub's peer list), besides {@link Settings#seeds()}. */
    private volatile Supplier<? extends java.util.Collection<Ipv4Address>> moreSeeds = List::of;

    /**
     * @param hostId           this host's id, the same the filter treats as self
     * @param incarnation      this process's incarnation (grows at every start)
     * @param self             this host's current description; called on the discovery thread
     * @param broadcastAddress the underlay subnet's directed broadcast address (e.g. 198.51.100.255), if any
     */
    public Discovery(Settings settings, AnnouncementCodec codec, AnnouncementFilter filter, PeerTable table,
                     String hostId, long incarnation, Supplier<LocalHost> self, Supplier<Optional<Ipv4Address>> broadcastAddress) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.table = Objects.requireNonNull(table, "table");
        Announcement.requireText("hostId", hostId, 1, Announcement.MAX_HOST_ID_BYTES);
        this.hostId = hostId;
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation: expected at least 0, got " + incarnation);
        }
        this.incarnation = incarnation;
        this.self = Objects.requireNonNull(self, "self");
        this.broadcastAddress = Objects.requireNonNull(broadcastAddress, "broadcastAddress");
        this.clock = InstantSource.system();
    }

    /**
     * Discovery with the defaults around it: a codec for {@code clusterId} and {@code key}, a filter
     * with the default window and memory, and a peer table on the system clocks whose failure detector
     * follows {@code settings.interval()}. Add table listeners ({@link #table()}) before {@link #start()}.
     */
    public static Discovery forCluster(Settings settings, String clusterId, ClusterKey key, String hostId, long incarnation,
                                       Supplier<LocalHost> self, Supplier<Optional<Ipv4Address>> broadcastAddress) {
        AnnouncementCodec codec = new AnnouncementCodec(clusterId, key);
        AnnouncementFilter filter = new AnnouncementFilter(codec, hostId, InstantSource.system(), new DropCounters());
        PeerTable table = PeerTable.onSystemClock(FailureDetector.forInterval(settings.interval()));
        return new Discovery(settings, codec, filter, table, hostId, incarnation, self, broadcastAddress);
    }

    public DropCounters counters() {
        return filter.counters();
    }

    public PeerTable table() {
        return table;
    }

    /** Binds in the process's own network namespace and starts announcing. */
    public void start() throws IOException {
        start(NetworkNamespace.current());
    }

    /**
     * Binds the socket inside {@code namespace} and starts announcing. The socket is created by the
     * calling thread inside {@link NetworkNamespace#call}, which places it there; the discovery
     * threads then only use it.
     */
    public synchronized void start(NetworkNamespace namespace) throws IOException {
        if (loop != null) {
            throw new IllegalStateException("discovery already started");
        }
        DatagramChannel bound;
        try {
            bound = namespace.call(this::open);
        } catch (IOException e) {
            throw new IOException("could not bind UDP port " + settings.port() + " for discovery: " + e.getMessage()
                    + "; is another mooring overlay running, or is the port taken? (discovery.port in overlay.yaml)", e);
        }
        channel = bound;
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = Thread.ofPlatform().daemon().name(THREAD).unstarted(task);
            loopThread = t;
            return t;
        });
        loop = executor;
        long intervalNanos = settings.interval().toNanos();
        announcing = executor.scheduleAtFixedRate(guarded(this::round), 0, intervalNanos, TimeUnit.NANOSECONDS);
        long tickNanos = intervalNanos / TICKS_PER_INTERVAL;
        executor.scheduleAtFixedRate(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        receiver = Thread.ofPlatform().daemon().name(THREAD + "-rx").start(() -> receive(bound, executor));
    }

    private DatagramChannel open() throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(settings.port()));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Receives until the socket is closed. One byte more than the largest announcement is read: a
     * longer datagram arrives truncated to MAX_DATAGRAM + 1 bytes and is dropped as oversized
     * without ever being held whole.
     */
    private void receive(DatagramChannel ch, ScheduledExecutorService judges) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(AnnouncementCodec.MAX_DATAGRAM + 1);
        while (ch.isOpen()) {
            SocketAddress sender;
            try {
                buffer.clear();
                sender = ch.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // A UDP socket survives a failed read (e.g. a reported ICMP error); keep serving.
                ServiceLog.warning("discovery socket error: " + e);
                continue;
            }
            buffer.flip();
            byte[] datagram = new byte[buffer.remaining()];
            buffer.get(datagram);
            try {
                judges.execute(guarded(() -> judge(datagram, sender)));
            } catch (RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    /** Announces at once and a few more times shortly after ({@link #BURST}): the underlay address changed. */
    public void burst() {
        ScheduledExecutorService l = running();
        if (l == null) {
            return;
        }
        for (Duration at : BURST) {
            schedule(l, () -> announce(false), at);
        }
    }

    /**
     * Stops announcing and tells the others this host is leaving (a few copies, so one lost datagram
     * does not leave the others waiting for the dead timeout). Returns once they are sent, or after a
     * bounded wait. Receiving and failure detection continue until {@link #close()}. Not to be
     * called from the discovery thread (a {@link PeerTable} listener), which sends the copies.
     */
    public void leave() {
        ScheduledExecutorService l = running();
        if (l == null) {
            return;
        }
        if (Thread.currentThread() == loopThread) {
            throw new IllegalStateException("leave() would wait for the discovery thread on itself; call it from another thread");
        }
        CompletableFuture<Void> sent = new CompletableFuture<>();
        schedule(l, () -> {
            if (leaving) {
                sent.complete(null);
                return;
            }
            leaving = true;
            announcing.cancel(false);
            for (int i = 0; i < LEAVE.size(); i++) {
                boolean last = i == LEAVE.size() - 1;
                schedule(l, () -> {
                    send(true);
                    if (last) {
                        sent.complete(null);
                    }
                }, LEAVE.get(i));
            }
        }, Duration.ZERO);
        try {
            sent.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            ServiceLog.warning("leaving announcements not all sent within " + STOP_TIMEOUT + ": " + e);
        }
    }

    /** Closes the socket and stops both threads; returns when they are gone (bounded). */
    @Override
    public synchronized void close() {
        if (loop == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            ServiceLog.warning("closing the discovery socket: " + e);
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            receiver.join(STOP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop = null;
        receiver = null;
        channel = null;
    }

    private synchronized ScheduledExecutorService running() {
        return loop;
    }

    private static void schedule(ScheduledExecutorService l, Runnable task, Duration delay) {
        try {
            l.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing more is sent.
        }
    }

    /** A periodic task that throws is never run again: log instead, so nothing can end the loop. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                ServiceLog.error("discovery task failed", e);
            }
        };
    }

    /** Catches what a listener throws itself, so the periodic tick is never cancelled (see {@link #guarded}). */
    private void tick() {
        try {
            table.tick();
        } catch (RuntimeException e) {
            ServiceLog.error("a membership listener failed", e);
        }
    }

    /**
     * How many periodic announcement rounds have run. A round runs on the thread that also judges
     * what arrives, so a datagram that came in before round n was weighed before round n + 1.
     */
    public long rounds() {
        return rounds;
    }

    private void round() {
        try {
            announce(false);
        } finally {
            rounds++; // only this thread writes it
        }
    }

    private void announce(boolean leavingCopy) {
        if (leaving && !leavingCopy) {
            return;
        }
        send(leavingCopy);
    }

    private void send(boolean leavingCopy) {
        send(leavingCopy, null);
    }

    /** Sends to {@code only}, or to every target when it is null. */
    private void send(boolean leavingCopy, Ipv4Address only) {
        LocalHost host;
        Set<Ipv4Address> targets;
        try {
            host = self.get();
            if (host.underlay().isUnspecified()) {
                return;
            }
            targets = only == null ? targets(host.underlay()) : Set.of(only);
        } catch (RuntimeException e) {
            ServiceLog.error("could not describe this host for discovery", e);
            return;
        }
        Announcement.Flags flags = leavingCopy ? host.flags().withLeaving(true) : host.flags();
        DatagramChannel ch = channel;
        if (ch == null) {
            return; // closed
        }
        for (Ipv4Address target : targets) {
            Announcement announcement = new Announcement(codec.clusterId(), hostId, host.hostName(), host.overlay(), host.mac(),
                    host.underlay(), host.role(), incarnation, sequence++, clock.millis(), Nonce.random(), flags);
            try {
                ch.send(ByteBuffer.wrap(codec.encode(announcement)), new InetSocketAddress(inet(target), settings.port()));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // Expected while the underlay is down or moving; the next round retries.
                ServiceLog.debug("announcement to " + target + " not sent: " + e);
            }
        }
    }

    /**
     * Adds seeds that change at run time: each announcement round also goes by unicast to what
     * {@code seeds} returns then (the hub's peers, so hosts without broadcast reachability hear each other).
     */
    public void seedsFrom(Supplier<? extends java.util.Collection<Ipv4Address>> seeds) {
        this.moreSeeds = Objects.requireNonNull(seeds, "seeds");
    }

    /** The broadcast address, the seeds, then every known member's last underlay address; never this host's. */
    private Set<Ipv4Address> targets(Ipv4Address ownUnderlay) {
        Set<Ipv4Address> targets = new LinkedHashSet<>();
        broadcastAddress.get().ifPresent(targets::add);
        targets.addAll(settings.seeds());
        targets.addAll(moreSeeds.get());
        for (Member member : table.snapshot()) {
            targets.add(member.underlay());
        }
        targets.remove(ownUnderlay);
        targets.removeIf(Ipv4Address::isUnspecified);
        return targets;
    }

    private static InetAddress inet(Ipv4Address address) {
        try {
            return InetAddress.getByAddress(address.toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /** Judges one datagram on its own (on the discovery thread); nothing it receives can end the loop. */
    private void judge(byte[] datagram, SocketAddress sender) {
        switch (filter.admit(datagram)) {
            case AnnouncementFilter.Verdict.Accepted accepted -> {
                Announcement a = accepted.announcement();
                Optional<Member> known = table.member(a.hostId());
                try {
                    table.accept(a);
                } catch (RuntimeException e) {
                    ServiceLog.error("a membership listener failed", e);
                }
                // A host that is new, back from the dead or restarted learns of this one by return
                // instead of waiting up to an interval for the next round.
                boolean newcomer = known.isEmpty() || known.get().state() == MemberState.DEAD || known.get().incarnation() != a.incarnation();
                if (newcomer && !a.flags().leaving() && !leaving) {
                    send(false, a.underlay());
                }
            }
            case AnnouncementFilter.Verdict.Dropped dropped -> {
                if (dropped.reason() != DropReason.SELF && ServiceLog.debugging()) {
                    ServiceLog.debug("dropped a datagram from " + sender + " as "
                            + dropped.reason().metricName() + ": " + dropped.detail());
                }
            }
        }
    }
}
