package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;

/**
 * Another host of the overlay as the forwarding table needs it: where its overlay address lives
 * (its bridge MAC follows from that address) and where to send its VXLAN packets.
 *
 * @param address  the peer's overlay address
 * @param underlay the peer's current underlay (physical) IPv4 address
 */
public record Peer(String host, Ipv4Address address, Ipv4Address underlay) {

    public MacAddress mac() {
        return MacAddress.forOverlayAddress(address);
    }
}
