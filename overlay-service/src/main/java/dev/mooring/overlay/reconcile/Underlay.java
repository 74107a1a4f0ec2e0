package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.UnderlaySelector;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.kernel.LinkAddress;
import dev.mooring.overlay.kernel.Link;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The physical interface the overlay's VXLAN packets leave by, as chosen from one observation.
 *
 * @param addresses its IPv4 addresses, in the kernel's order (empty while DHCP has none)
 */
public record Underlay(String name, int index, int mtu, List<Ipv4Address> addresses) {

    public Underlay {
        addresses = List.copyOf(addresses);
    }

    /**
     * Picks the underlay that {@code selector} names in {@code observed}. Mooring's own devices and
     * loopback are never candidates; a glob or subnet matching several interfaces takes the one
     * with the lowest index, so the choice is stable.
     */
    public static Underlay select(UnderlaySelector selector, KernelState observed) throws UnderlayException {
        List<Link> candidates = observed.links().stream()
                .filter(l -> !DesiredState.isMooringLink(l.name()) && !l.name().equals("lo"))
                .sorted((a, b) -> Integer.compare(a.index(), b.index()))
                .toList();
        Optional<Link> chosen = switch (selector) {
            case UnderlaySelector.Auto a -> observed.defaultRoute()
                    .flatMap(r -> observed.link(r.linkIndex()))
                    .filter(candidates::contains);
            case UnderlaySelector.ByName n -> candidates.stream().filter(l -> l.name().equals(n.name())).findFirst();
            case UnderlaySelector.ByGlob g -> candidates.stream().filter(l -> g.matches(l.name())).findFirst();
            case UnderlaySelector.BySubnet s -> candidates.stream()
                    .filter(l -> observed.addressesOf(l.index()).stream().anyMatch(a -> s.subnet().contains(a.address())))
                    .findFirst();
        };
        if (chosen.isEmpty()) {
            throw new UnderlayException(missing(selector) + "; the interfaces here are: " + describe(candidates, observed)
                    + ". Set overlay.underlay to one of them (a name, a glob like en*, or a subnet like 198.51.100.0/24)");
        }
        Link link = chosen.get();
        return new Underlay(link.name(), link.index(), link.mtu(),
                observed.addressesOf(link.index()).stream().map(LinkAddress::address).toList());
    }

    private static String missing(UnderlaySelector selector) {
        return switch (selector) {
            case UnderlaySelector.Auto a -> "no underlay interface: underlay is auto and there is no default route to take it from";
            case UnderlaySelector.ByName n -> "the underlay interface '" + n.name() + "' does not exist";
            case UnderlaySelector.ByGlob g -> "no interface matches the underlay glob '" + g.glob() + "'";
            case UnderlaySelector.BySubnet s -> "no interface has an address in the underlay subnet " + s.subnet();
        };
    }

    private static String describe(List<Link> links, KernelState observed) {
        if (links.isEmpty()) {
            return "(none besides loopback)";
        }
        return links.stream().map(l -> l.name() + observed.addressesOf(l.index()).stream()
                        .map(a -> a.address() + "/" + a.prefixLength())
                        .collect(Collectors.joining(", ", " (", ")")).replace(" ()", ""))
                .collect(Collectors.joining(", "));
    }
}
