package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Ipv4Address;

/** An IPv4 address assigned to a link, with its prefix length ({@code 100.64.192.10/23}). */
public record LinkAddress(int linkIndex, Ipv4Address address, int prefixLength) {}
