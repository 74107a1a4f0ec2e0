package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;

/**
 * A bridge forwarding entry on a VXLAN device ({@code bridge fdb ... dev mooring-vx dst ...}). The
 * all-zero MAC entry floods broadcast and unknown unicast to {@code destination} (head-end
 * replication); a unicast MAC entry sends that peer's frames straight to its underlay address.
 */
public record FdbEntry(int linkIndex, MacAddress mac, Ipv4Address destination) {}
