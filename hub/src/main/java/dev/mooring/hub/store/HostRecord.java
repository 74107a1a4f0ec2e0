package dev.mooring.hub.store;

import dev.mooring.overlay.address.Ipv4Address;
import java.time.Instant;
import java.util.List;

/** A registered host: its fixed overlay address, the hash of its API key and what it last reported. */
public record HostRecord(String hostId, String cluster, String machineId, String hostname, String role,
                         Ipv4Address overlay, List<String> underlay, String version, String status,
                         boolean vipHolder, String keyHash, Instant registered, Instant lastSeen) {

    public HostRecord {
        underlay = List.copyOf(underlay);
    }

    public HostRecord withHeartbeat(Heartbeat beat) {
        return new HostRecord(hostId, cluster, machineId, hostname, role, overlay, beat.addresses(), version,
                beat.status(), beat.vipHolder(), keyHash, registered, beat.at());
    }
}
