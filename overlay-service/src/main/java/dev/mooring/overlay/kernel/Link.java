package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.MacAddress;
import java.util.Optional;

/**
 * A network interface as the kernel reports it.
 *
 * @param kind        the rtnetlink link kind ({@code bridge}, {@code vxlan}, {@code veth}, ...), empty for
 *                    devices that report none (loopback, most physical NICs)
 * @param masterIndex ifindex of the bridge this link is a port of, 0 for none
 * @param vxlan       VXLAN parameters when {@code kind} is {@code vxlan}
 */
public record Link(int index, String name, String kind, MacAddress mac, int mtu, boolean up,
                   int masterIndex, Optional<VxlanInfo> vxlan) {

    /** What the kernel says about a VXLAN device; the overlay never sets a fixed local address. */
    public record VxlanInfo(int vni, int port, int underlayIndex, boolean learning) {}
}
