package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.util.Optional;

/**
 * An IPv4 route of the main table. The default route ({@code 0.0.0.0/0}) names the underlay when
 * user-data says {@code underlay: auto}; every route is checked against the overlay CIDR.
 */
public record Route(int linkIndex, Cidr destination, Optional<Ipv4Address> gateway) {

    public boolean isDefault() {
        return destination.prefixLength() == 0;
    }
}
