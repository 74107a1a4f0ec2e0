package dev.mooring.hub.store;

import dev.mooring.overlay.address.Ipv4Address;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One registration, as the store applies it in one transaction: the token is checked again there
 * (expiry, uses, revocation), then the host is found by machine id or created with a new address.
 *
 * @param newHostId the id a new host gets (unused when the machine id is known)
 * @param keyHash   the hash of the API key issued now; it replaces any earlier key
 */
public record Registration(String tokenId, String machineId, String hostname, String role, List<String> addresses,
                           String version, Optional<Ipv4Address> requested, String newHostId, String keyHash, Instant at) {
    public Registration {
        addresses = List.copyOf(addresses);
    }

    /** The store's answer: the host (new or known) and whether it was created now. */
    public record Outcome(HostRecord host, ClusterRecord cluster, boolean created) {}
}
