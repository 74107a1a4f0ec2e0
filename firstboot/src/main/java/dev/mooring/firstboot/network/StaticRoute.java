package dev.mooring.firstboot.network;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A route {@code to} a network (0.0.0.0/0 for {@code default}), {@code via} a gateway or, without
 * one, on-link.
 */
public record StaticRoute(Cidr to, Optional<Ipv4Address> via, OptionalLong metric) {
}
