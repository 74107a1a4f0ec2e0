package dev.mooring.firstboot.network;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One entry under {@code ethernets}: which NIC it is and how it gets its addresses.
 *
 * @param id      the entry's name; also the interface name when there is no {@code match}
 * @param match   which physical NIC(s) this entry configures
 * @param setName rename the matched NIC to this
 */
public record Ethernet(String id, Optional<Match> match, Optional<String> setName, boolean dhcp4,
                       List<InterfaceAddress> addresses, Optional<Ipv4Address> gateway4, List<StaticRoute> routes,
                       Nameservers nameservers, OptionalInt mtu) {

    public Ethernet {
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
    }

    /** Selects NICs by name (a glob) and/or MAC address; both must match when both are given. */
    public record Match(Optional<String> name, Optional<MacAddress> macAddress) {
    }

    /** DNS servers and search domains. */
    public record Nameservers(List<Ipv4Address> addresses, List<String> search) {
        public static final Nameservers NONE = new Nameservers(List.of(), List.of());

        public Nameservers {
            addresses = List.copyOf(addresses);
            search = List.copyOf(search);
        }
    }
}
