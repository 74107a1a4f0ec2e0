package dev.mooring.overlay.hub;

import dev.mooring.overlay.address.Ipv4Address;
import java.time.Instant;
import java.util.List;

/** A host of this cluster as the hub last heard of it (GET /api/v1/clusters/{name}/peers). */
public record HubPeer(String hostId, String hostname, String role, Ipv4Address overlay, List<Ipv4Address> underlay,
                      Instant lastSeen) {
    public HubPeer {
        underlay = List.copyOf(underlay);
    }
}
