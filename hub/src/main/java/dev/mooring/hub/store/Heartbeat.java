package dev.mooring.hub.store;

import java.time.Instant;
import java.util.List;

/** What a host reported in its last heartbeat. */
public record Heartbeat(String hostId, List<String> addresses, String status, boolean vipHolder, Instant at) {
    public Heartbeat {
        addresses = List.copyOf(addresses);
    }
}
