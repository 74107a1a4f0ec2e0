package dev.mooring.overlay.config;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code mooring overlay run --config overlay.yaml} reads: this host, its role, the overlay
 * settings and, until discovery exists, a static list of peers. Read with
 * {@link OverlayConfigLoader}; first boot writes the file to {@code /etc/mooring/overlay.yaml}.
 *
 * @param source     the file it was read from, for messages
 * @param statusFile where the service writes its status (default {@link #DEFAULT_STATUS_FILE})
 */
public record OverlayConfig(Path source, Host host, Role role, OverlaySettings overlay,
                            List<StaticPeer> peers, Path statusFile) {

    public static final Path DEFAULT_PATH = Path.of("/etc/mooring/overlay.yaml");
    public static final Path DEFAULT_STATUS_FILE = Path.of("/run/mooring/overlay.json");

    public OverlayConfig {
        peers = List.copyOf(peers);
    }

    /**
     * This host.
     *
     * @param name the host name the cluster knows it by (unique in the cluster)
     * @param id   a stable machine identity (e.g. /etc/machine-id), empty when not given
     */
    public record Host(String name, Optional<String> id) {}

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
