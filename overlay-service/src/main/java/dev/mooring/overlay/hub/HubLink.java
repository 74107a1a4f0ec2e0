package dev.mooring.overlay.hub;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The overlay's link to the hub: every {@code hub.heartbeat} it reports this host (its current
 * underlay addresses, its state, whether it holds the VIP) and fetches the cluster's peer list.
 * The hub is a second source of peers and never a dependency: when it is unreachable or refuses,
 * the last peer list stays as it was, the error is logged once, and the overlay changes nothing.
 */
public final class HubLink implements AutoCloseable {

    /** What a heartbeat says about this host, taken at the moment it is sent. */
    public record Report(List<Ipv4Address> addresses, String status, boolean vipHolder) {
        public Report {
            addresses = List.copyOf(addresses);
        }
    }

    private final OverlayConfig.Hub settings;
    private final String cluster;
    private final Supplier<Report> report;
    private final Runnable onPeersChanged;
    private final Consumer<String> log;
    private final ScheduledExecutorService timer;
    private final Optional<Path> cache;

    private volatile List<HubPeer> peers = List.of();
    private volatile Optional<String> selfId = Optional.empty();
    // Touched by the timer thread only.
    private HubClient client;
    private FileTime loadedVersion;
    private String lastError;
    private boolean everReached;

    /**
     * @param cache          where the last peer list is kept across restarts (a restart during a hub
     *                       outage starts with it), or empty
     * @param cluster        this host's cluster; credentials of another cluster are not used
     * @param report         this host now, for the heartbeat
     * @param onPeersChanged called (on the hub thread) when the peer list differs from the last one
     */
    public HubLink(OverlayConfig.Hub settings, String cluster, Supplier<Report> report, Runnable onPeersChanged,
                   Consumer<String> log) {
        this(settings, Optional.empty(), cluster, report, onPeersChanged, log);
    }

    public HubLink(OverlayConfig.Hub settings, Optional<Path> cache, String cluster, Supplier<Report> report,
                   Runnable onPeersChanged, Consumer<String> log) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.report = Objects.requireNonNull(report, "report");
        this.onPeersChanged = Objects.requireNonNull(onPeersChanged, "onPeersChanged");
        this.log = Objects.requireNonNull(log, "log");
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("mooring-hub").factory());
        cache.flatMap(file -> HubPeerCache.read(file, log)).ifPresent(last -> peers = last);
    }

    /** The first round now, then one every {@code hub.heartbeat}. */
    public void start() {
        long every = settings.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::round, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The peers the hub named last time it answered (empty until it has); this host is not among them. */
    public List<HubPeer> peers() {
        return peers;
    }

    /** This host's id at the hub, once the credentials were read. */
    public Optional<String> hostId() {
        return selfId;
    }

    /** One heartbeat and one peer fetch; public for tests that drive it without the timer. */
    public void round() {
        try {
            HubClient c = client();
            Report now = report.get();
            c.heartbeat(now.addresses(), now.status(), now.vipHolder());
            List<HubPeer> fetched = c.peers().stream()
                    .filter(p -> !p.hostId().equals(c.credentials().hostId()))
                    .toList();
            if (lastError != null || !everReached) {
                log.accept("hub " + c.credentials().url() + ": heartbeat and peer list ok (" + fetched.size() + " peers)"
                        + (lastError != null ? ", reachable again" : ""));
            }
            lastError = null;
            everReached = true;
            if (!fetched.equals(peers)) {
                peers = fetched;
                cache.ifPresent(file -> HubPeerCache.write(file, fetched, log));
                onPeersChanged.run();
            }
        } catch (HubException e) {
            failed(e.getMessage());
        } catch (RuntimeException e) {
            // Whatever the hub answers, the overlay keeps running.
            failed("hub round failed: " + e);
        }
    }

    private void failed(String message) {
        if (!message.equals(lastError)) {
            log.accept("hub: " + message + "; the overlay keeps its last peer list (" + peers.size() + " peers) and retries in "
                    + settings.heartbeat().toSeconds() + " s");
            lastError = message;
        }
    }

    /** The client for the current credentials file, read again when the file changes (a new registration). */
    private HubClient client() throws HubException {
        FileTime version;
        try {
            version = Files.getLastModifiedTime(settings.credentials());
        } catch (java.io.IOException e) {
            version = null;
        }
        if (client == null || version == null || !version.equals(loadedVersion)) {
            HubCredentials credentials = HubCredentials.load(settings.credentials());
            if (!credentials.cluster().equals(cluster)) {
                throw new HubException(settings.credentials() + " is for cluster '" + credentials.cluster()
                        + "', this host's overlay.yaml says '" + cluster + "'; the hub's peers are not used");
            }
            client = new HubClient(credentials);
            loadedVersion = version;
            selfId = Optional.of(credentials.hostId());
        }
        return client;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(6, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
