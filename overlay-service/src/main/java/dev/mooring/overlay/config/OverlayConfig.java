package dev.mooring.overlay.config;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code mooring overlay run --config overlay.yaml} reads: the cluster, this host, its role,
 * the overlay settings, how hosts find each other (discovery, static peers as seeds), the VIP's
 * health check, the metrics endpoint and where state and status live. Read with
 * {@link OverlayConfigLoader}; first boot writes the file to {@code /etc/mooring/overlay.yaml}.
 *
 * @param source         the file it was read from, for messages
 * @param cluster        the cluster id every announcement carries; hosts of another cluster are ignored
 * @param discovery      whether and how this host announces itself and listens for the others
 * @param vip            how this host decides it may hold the VIP
 * @param metrics        the loopback address of the Prometheus endpoint, empty when turned off
 * @param stateDirectory where the persisted identity lives (default {@link #DEFAULT_STATE_DIRECTORY})
 * @param peers          hosts named in the file: the whole overlay without discovery, seeds with it
 * @param statusFile     where the service writes its status (default {@link #DEFAULT_STATUS_FILE})
 * @param hub            the hub this host registered with: heartbeats and a second source of peers
 */
public record OverlayConfig(Path source, String cluster, Host host, Role role, OverlaySettings overlay,
                            Discovery discovery, Vip vip, Optional<InetSocketAddress> metrics,
                            Path stateDirectory, List<StaticPeer> peers, Path statusFile, Optional<Hub> hub) {

    public static final Path DEFAULT_PATH = Path.of("/etc/mooring/overlay.yaml");
    public static final Path DEFAULT_STATUS_FILE = Path.of("/run/mooring/overlay.json");
    public static final Path DEFAULT_STATE_DIRECTORY = dev.mooring.overlay.identity.IdentityStore.DEFAULT_STATE_DIR;
    /** The cluster id when the file names none: enough for one cluster per L2 segment. */
    public static final String DEFAULT_CLUSTER = "mooring";
    /** Where systemd keeps the machine's identity; {@code host.id} defaults to it. */
    public static final Path MACHINE_ID = Path.of("/etc/machine-id");
    /** Prometheus's registry has no port for Mooring; 9647 is free there and easy to remember. */
    public static final InetSocketAddress DEFAULT_METRICS = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 9647);

    public OverlayConfig {
        peers = List.copyOf(peers);
    }

    /** The config without a hub section: what every file was before the hub existed. */
    public OverlayConfig(Path source, String cluster, Host host, Role role, OverlaySettings overlay, Discovery discovery,
                         Vip vip, Optional<InetSocketAddress> metrics, Path stateDirectory, List<StaticPeer> peers,
                         Path statusFile) {
        this(source, cluster, host, role, overlay, discovery, vip, metrics, stateDirectory, peers, statusFile, Optional.empty());
    }

    /**
     * The hub section: first boot's credentials file (docs/contracts.md) and the heartbeat period.
     * The hub is never needed for the overlay to run: it adds peers and hears how this host is.
     */
    public record Hub(Path credentials, java.time.Duration heartbeat) {
        public static final Path DEFAULT_CREDENTIALS = Path.of("/var/lib/mooring/hub/credentials.json");
        public static final java.time.Duration DEFAULT_HEARTBEAT = java.time.Duration.ofSeconds(10);
        public static final java.time.Duration MIN_HEARTBEAT = java.time.Duration.ofSeconds(1);
        public static final java.time.Duration MAX_HEARTBEAT = java.time.Duration.ofMinutes(10);
    }

    /**
     * This host.
     *
     * @param name the host name the cluster knows it by (unique in the cluster)
     * @param id   the stable identity announcements carry and addresses derive from: {@code host.id},
     *             else the content of /etc/machine-id, else the name
     */
    public record Host(String name, String id) {
        /** Longest id an announcement carries. */
        public static final int MAX_ID_LENGTH = dev.mooring.overlay.membership.Announcement.MAX_HOST_ID_BYTES;
    }

    /**
     * Peer discovery over the underlay: UDP broadcast on the underlay subnet plus unicast to every
     * known peer.
     *
     * @param enabled  on by default when the file has {@code overlay.key}: the key authenticates
     *                 every announcement
     * @param port     the UDP port announcements go to and are heard on
     * @param interval how often this host announces itself; suspect and dead follow from it
     */
    public record Discovery(boolean enabled, int port, Duration interval) {
        /** UDP 7946 is memberlist's (Consul, Serf, MetalLB); Mooring's own port stays clear of it. */
        public static final int DEFAULT_PORT = dev.mooring.overlay.membership.Discovery.DEFAULT_PORT;
        public static final Duration DEFAULT_INTERVAL = dev.mooring.overlay.membership.Discovery.DEFAULT_INTERVAL;
        /** Faster floods the underlay with little gain; slower makes failover slow. */
        public static final Duration MIN_INTERVAL = Duration.ofMillis(50);
        public static final Duration MAX_INTERVAL = Duration.ofSeconds(10);

        public static Discovery off() {
            return new Discovery(false, DEFAULT_PORT, DEFAULT_INTERVAL);
        }
    }

    /**
     * The VIP's holder election as it concerns this host.
     *
     * @param healthPort a local TCP port (etcd 2379, the API server 6443) that must accept a
     *                   connection for this host to hold the VIP; empty for no check
     */
    public record Vip(OptionalInt healthPort) {
        public static Vip unchecked() {
            return new Vip(OptionalInt.empty());
        }
    }

    /** A host's part in the cluster; control-plane hosts may hold the VIP. */
    public enum Role {
        CONTROL_PLANE("control-plane"), WORKER("worker");

        private final String yamlName;

        Role(String yamlName) {
            this.yamlName = yamlName;
        }

        /** The name written in overlay.yaml and in the status file. */
        public String yamlName() {
            return yamlName;
        }

        static Optional<Role> parse(String text) {
            for (Role r : values()) {
                if (r.yamlName.equals(text)) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A peer named in overlay.yaml. Its bridge MAC follows from its overlay address, so the
     * address pair is all the forwarding table needs.
     *
     * @param address  the peer's overlay address
     * @param underlay the peer's underlay (physical) IPv4 address, where its VXLAN packets go
     */
    public record StaticPeer(String host, Ipv4Address address, Ipv4Address underlay) {
        public MacAddress mac() {
            return MacAddress.forOverlayAddress(address);
        }
    }
}
