package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;

/** A permanent IPv4 neighbour (ARP) entry on a link, as {@code ip neigh replace ... nud permanent} makes. */
public record Neighbour(int linkIndex, Ipv4Address address, MacAddress mac) {}
