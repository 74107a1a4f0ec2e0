package dev.mooring.overlay.kernel;

import java.util.List;
import java.util.Optional;

/**
 * One observation of the kernel: every link, every IPv4 address, the IPv4 routes of the main
 * table, the FDB entries with a destination on VXLAN links, and the permanent IPv4 neighbours.
 * Immutable.
 */
public record KernelState(List<Link> links, List<LinkAddress> addresses, List<Route> routes,
                          List<FdbEntry> fdb, List<Neighbour> neighbours) {

    public KernelState {
        links = List.copyOf(links);
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
        fdb = List.copyOf(fdb);
        neighbours = List.copyOf(neighbours);
    }

    public Optional<Link> link(String name) {
        return links.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public Optional<Link> link(int index) {
        return links.stream().filter(l -> l.index() == index).findFirst();
    }

    public Optional<Route> defaultRoute() {
        return routes.stream().filter(Route::isDefault).findFirst();
    }

    public List<LinkAddress> addressesOf(int linkIndex) {
        return addresses.stream().filter(a -> a.linkIndex() == linkIndex).toList();
    }

    public List<FdbEntry> fdbOf(int linkIndex) {
        return fdb.stream().filter(f -> f.linkIndex() == linkIndex).toList();
    }

    public List<Neighbour> neighboursOf(int linkIndex) {
        return neighbours.stream().filter(n -> n.linkIndex() == linkIndex).toList();
    }
}
