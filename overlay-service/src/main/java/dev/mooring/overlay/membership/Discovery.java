package dev.mooring.overlay.membership;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.ClusterKey;
import dev.mooring.overlay.netlink.NetworkNamespace;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Finds the other hosts of the cluster on the underlay: one UDP socket on {@code 0.0.0.0:port}
 * (netty, epoll where available, one event-loop thread) that announces this host every interval by
 * broadcast to the underlay subnet and by unicast to every known member and seed, and feeds what it
 * receives through an {@link AnnouncementFilter} into a {@link PeerTable}.
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
    private static final System.Logger LOG = System.getLogger(Discovery.class.getName());

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

    // Owned by the event loop thread once started.
    private long sequence;
    private boolean leaving;
    private ScheduledFuture<?> announcing;

    private EventLoopGroup group;
    private volatile Channel channel;
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

    /**
     * Initialises netty's transport without opening anything: the epoll native library (unpacked
     * and loaded on first use) and netty's platform probes and buffers. {@link #start} does the
     * same when it has not happened yet; see {@code WarmUp}.
     */
    public static void loadTransport() {
        // java.util.logging is where netty's logging ends up here anyway; naming it spares the
        // probes for SLF4J and Log4J, each a class lookup through every jar (about 20 ms at start).
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        if (Epoll.isAvailable()) {
            EpollIoHandler.newFactory();
        }
        Unpooled.buffer(0).release();
    }

    /** Binds in the process's own network namespace and starts announcing. */
    public void start() throws IOException {
        start(NetworkNamespace.current());
    }

    /**
     * Binds the socket inside {@code namespace} and starts announcing. The socket is created by the
     * calling thread (netty creates it in the channel constructor), so creating it inside
     * {@link NetworkNamespace#call} places it there; the event loop then only uses it.
     */
    public synchronized void start(NetworkNamespace namespace) throws IOException {
        if (group != null) {
            throw new IllegalStateException("discovery already started");
        }
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mooring-discovery", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                // One byte more than the largest announcement: a longer datagram arrives truncated to
                // MAX_DATAGRAM + 1 bytes and is dropped as oversized without ever being held whole.
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(AnnouncementCodec.MAX_DATAGRAM + 1))
                .handler(new Receiver());
        try {
            ChannelFuture bound = namespace.call(() -> bootstrap.bind(new InetSocketAddress(settings.port())).awaitUninterruptibly());
            if (!bound.isSuccess()) {
                throw new IOException("could not bind UDP port " + settings.port() + " for discovery: " + bound.cause().getMessage()
                        + "; is another mooring overlay running, or is the port taken? (discovery.port in overlay.yaml)", bound.cause());
            }
            channel = bound.channel();
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            group = null;
            throw e;
        }
        long intervalNanos = settings.interval().toNanos();
        channel.eventLoop().execute(() -> {
            announcing = channel.eventLoop().scheduleAtFixedRate(() -> announce(false), 0, intervalNanos, TimeUnit.NANOSECONDS);
            channel.eventLoop().scheduleAtFixedRate(this::tick, intervalNanos / TICKS_PER_INTERVAL,
                    intervalNanos / TICKS_PER_INTERVAL, TimeUnit.NANOSECONDS);
        });
    }

    /** Announces at once and a few more times shortly after ({@link #BURST}): the underlay address changed. */
    public void burst() {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        for (Duration at : BURST) {
            ch.eventLoop().schedule(() -> announce(false), at.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Stops announcing and tells the others this host is leaving (a few copies, so one lost datagram
     * does not leave the others waiting for the dead timeout). Returns once they are sent, or after a
     * bounded wait. Receiving and failure detection continue until {@link #close()}. Not to be
     * called from the discovery thread (a {@link PeerTable} listener), which sends the copies.
     */
    public void leave() {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (ch.eventLoop().inEventLoop()) {
            throw new IllegalStateException("leave() would wait for the discovery thread on itself; call it from another thread");
        }
        CompletableFuture<Void> sent = new CompletableFuture<>();
        ch.eventLoop().execute(() -> {
            if (leaving) {
                sent.complete(null);
                return;
            }
            leaving = true;
            if (announcing != null) {
                announcing.cancel(false);
            }
            for (int i = 0; i < LEAVE.size(); i++) {
                boolean last = i == LEAVE.size() - 1;
                ch.eventLoop().schedule(() -> {
                    send(true);
                    if (last) {
                        sent.complete(null);
                    }
                }, LEAVE.get(i).toNanos(), TimeUnit.NANOSECONDS);
            }
        });
        try {
            sent.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "leaving announcements not all sent within " + STOP_TIMEOUT + ": " + e);
        }
    }

    /** Closes the socket and stops the thread; returns when both are gone (bounded). */
    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        if (channel != null) {
            channel.close().awaitUninterruptibly(STOP_TIMEOUT.toMillis());
        }
        group.shutdownGracefully(0, STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly(STOP_TIMEOUT.toMillis() * 2);
        group = null;
        channel = null;
    }

    private void tick() {
        try {
            table.tick();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a membership listener failed", e);
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
            LOG.log(System.Logger.Level.ERROR, "could not describe this host for discovery", e);
            return;
        }
        Announcement.Flags flags = leavingCopy ? host.flags().withLeaving(true) : host.flags();
        for (Ipv4Address target : targets) {
            Announcement announcement = new Announcement(codec.clusterId(), hostId, host.hostName(), host.overlay(), host.mac(),
                    host.underlay(), host.role(), incarnation, sequence++, clock.millis(), Nonce.random(), flags);
            DatagramPacket packet = new DatagramPacket(Unpooled.wrappedBuffer(codec.encode(announcement)),
                    new InetSocketAddress(inet(target), settings.port()));
            channel.write(packet).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    // Expected while the underlay is down or moving; the next round retries.
                    LOG.log(System.Logger.Level.DEBUG, "announcement to " + target + " not sent: " + f.cause());
                }
            });
        }
        channel.flush();
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

    /** Judges each datagram on its own; nothing it receives can end the loop. */
    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            byte[] datagram = ByteBufUtil.getBytes(packet.content());
            switch (filter.admit(datagram)) {
                case AnnouncementFilter.Verdict.Accepted accepted -> {
                    Announcement a = accepted.announcement();
                    Optional<Member> known = table.member(a.hostId());
                    try {
                        table.accept(a);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "a membership listener failed", e);
                    }
                    // A host that is new, back from the dead or restarted learns of this one by return
                    // instead of waiting up to an interval for the next round.
                    boolean newcomer = known.isEmpty() || known.get().state() == MemberState.DEAD || known.get().incarnation() != a.incarnation();
                    if (newcomer && !a.flags().leaving() && !leaving) {
                        send(false, a.underlay());
                    }
                }
                case AnnouncementFilter.Verdict.Dropped dropped -> {
                    if (dropped.reason() != DropReason.SELF) {
                        LOG.log(System.Logger.Level.DEBUG, "dropped a datagram from " + packet.sender() + " as "
                                + dropped.reason().metricName() + ": " + dropped.detail());
                    }
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A UDP socket survives a failed read (e.g. a reported ICMP error); keep serving.
            LOG.log(System.Logger.Level.WARNING, "discovery socket error: " + cause);
        }
    }
}
