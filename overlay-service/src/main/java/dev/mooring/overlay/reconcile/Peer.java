package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.util.Comparator;

/**
 * Another host of the overlay as the forwarding table needs it: where its overlay address lives
 * (its bridge MAC follows from that address) and where to send its VXLAN packets.
 *
 * @param address  the peer's overlay address
 * @param underlay the peer's current underlay (physical) IPv4 address
 */
public record Peer(String host, Ipv4Address address, Ipv4Address underlay) {

    /**
     * By overlay address. Written as a plain lambda, not {@code Comparator.comparing}: that one
     * returns a serializable lambda, which the AOT cache does not hold, so the service's first
     * pass would spin its class (about a millisecond each, measured).
     */
    public static final Comparator<Peer> BY_ADDRESS = (a, b) -> a.address().compareTo(b.address());

    public MacAddress mac() {
        return MacAddress.forOverlayAddress(address);
    }
}
