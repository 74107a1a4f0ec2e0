package dev.mooring.overlay.kernel;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A kernel in memory that behaves like Linux where the reconciler can tell: names are unique
 * (EEXIST), changes to missing links fail (ENODEV), deleting a link takes its addresses, routes,
 * FDB and neighbour entries with it and frees its bridge ports, an address brings its connected
 * route, two VXLAN devices cannot share VNI and port, a VXLAN port cannot exceed its underlay's
 * MTU minus 50, and appending an FDB entry that exists changes nothing (as {@code bridge fdb
 * append} does). Every change is reported to watchers. {@link #deny} makes changes fail, as
 * EPERM does for a process without CAP_NET_ADMIN.
 */
public final class InMemoryKernel implements Kernel {

    private static final int EPERM = 1, ENOENT = 2, EEXIST = 17, ENODEV = 19, EINVAL = 22, EOPNOTSUPP = 95,
            EADDRNOTAVAIL = 99;

    private final List<Link> links = new ArrayList<>();
    private final List<LinkAddress> addresses = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final List<FdbEntry> fdb = new ArrayList<>();
    private final List<Neighbour> neighbours = new ArrayList<>();
    private final List<Consumer<KernelEvent>> watchers = new CopyOnWriteArrayList<>();
    private final List<KernelChange> applied = new ArrayList<>();
    private Predicate<KernelChange> denied = c -> false;
    private int nextIndex = 1;
    private long nextMac = 0x0a00_0000_0001L;

    public InMemoryKernel() {
        links.add(new Link(nextIndex++, "lo", "", MacAddress.ZERO, 65536, true, 0, Optional.empty()));
    }

    /** Adds an interface the test stands in for (a NIC or veth), up, with its own MAC. */
    public synchronized Link addInterface(String name, int mtu) {
        Link link = new Link(nextIndex++, name, "veth", new MacAddress(nextMac++), mtu, true, 0, Optional.empty());
        links.add(link);
        emit(new KernelEvent.LinkChanged(link.index(), name, false));
        return link;
    }

    /** Adds a route, as DHCP or an administrator would. */
    public synchronized void addRoute(String link, Cidr destination, Optional<Ipv4Address> gateway) {
        int index = links.stream().filter(l -> l.name().equals(link)).findFirst().orElseThrow().index();
        routes.add(new Route(index, destination, gateway));
    }

    /** Adds a default route via {@code gateway} on {@code link}. */
    public void addDefaultRoute(String link, Ipv4Address gateway) {
        addRoute(link, Cidr.parse("0.0.0.0/0"), Optional.of(gateway));
    }

    /** From now on, changes matching {@code rule} fail with EPERM. */
    public synchronized void deny(Predicate<KernelChange> rule) {
        denied = rule;
    }

    /** Every change applied so far, in order (failed ones excluded). */
    public synchronized List<KernelChange> applied() {
        return List.copyOf(applied);
    }

    @Override
    public synchronized KernelState observe() {
        return new KernelState(links, addresses, routes, fdb, neighbours);
    }

    @Override
    public synchronized void apply(KernelChange change) throws KernelException {
        if (denied.test(change)) {
            throw new KernelException(change + ": EPERM (Operation not permitted)", EPERM);
        }
        switch (change) {
            case KernelChange.AddBridge b -> {
                absent(b.name());
                addLink(new Link(nextIndex++, b.name(), "bridge", b.mac(), b.mtu(), false, 0, Optional.empty()));
            }
            case KernelChange.AddVxlan v -> {
                absent(v.name());
                Link underlay = require(v.underlay());
                if (links.stream().anyMatch(l -> l.vxlan().filter(x -> x.vni() == v.vni() && x.port() == v.port()).isPresent())) {
                    throw new KernelException(change + ": EEXIST (a VXLAN device with VNI " + v.vni() + " exists)", EEXIST);
                }
                checkVxlanMtu(v.mtu(), underlay);
                addLink(new Link(nextIndex++, v.name(), "vxlan", new MacAddress(nextMac++), v.mtu(), false, 0,
                        Optional.of(new Link.VxlanInfo(v.vni(), v.port(), underlay.index(), false))));
            }
            case KernelChange.DeleteLink d -> {
                Link link = require(d.name());
                links.remove(link);
                int i = link.index();
                addresses.removeIf(a -> a.linkIndex() == i);
                routes.removeIf(r -> r.linkIndex() == i);
                fdb.removeIf(f -> f.linkIndex() == i);
                neighbours.removeIf(n -> n.linkIndex() == i);
                links.replaceAll(l -> l.masterIndex() == i ? with(l, l.mtu(), l.up(), 0) : l);
                emit(new KernelEvent.LinkChanged(i, link.name(), true));
            }
            case KernelChange.SetMtu m -> {
                Link link = require(m.link());
                if (m.mtu() < 68 || m.mtu() > 65535) {
                    throw new KernelException(change + ": EINVAL", EINVAL);
                }
                if (link.vxlan().isPresent()) {
                    checkVxlanMtu(m.mtu(), link(link.vxlan().get().underlayIndex()).orElseThrow());
                }
                replace(link, with(link, m.mtu(), link.up(), link.masterIndex()));
            }
            case KernelChange.SetMaster m -> {
                Link link = require(m.link());
                Link master = require(m.master());
                if (!master.kind().equals("bridge")) {
                    throw new KernelException(change + ": EOPNOTSUPP (" + master.name() + " is not a bridge)", EOPNOTSUPP);
                }
                replace(link, with(link, link.mtu(), link.up(), master.index()));
            }
            case KernelChange.SetUp u -> {
                Link link = require(u.link());
                replace(link, with(link, link.mtu(), true, link.masterIndex()));
            }
            case KernelChange.AddAddress a -> {
                Link link = require(a.link());
                LinkAddress la = new LinkAddress(link.index(), a.address(), a.prefixLength());
                if (addresses.contains(la)) {
                    throw new KernelException(change + ": EEXIST", EEXIST);
                }
                addresses.add(la);
                routes.add(new Route(link.index(), network(a.address(), a.prefixLength()), Optional.empty()));
                emit(new KernelEvent.AddressChanged(link.index(), a.address(), a.prefixLength(), false));
            }
            case KernelChange.DeleteAddress a -> {
                Link link = require(a.link());
                LinkAddress la = new LinkAddress(link.index(), a.address(), a.prefixLength());
                if (!addresses.remove(la)) {
                    throw new KernelException(change + ": EADDRNOTAVAIL", EADDRNOTAVAIL);
                }
                routes.remove(new Route(link.index(), network(a.address(), a.prefixLength()), Optional.empty()));
                emit(new KernelEvent.AddressChanged(link.index(), a.address(), a.prefixLength(), true));
            }
            case KernelChange.AppendFdb f -> {
                Link link = requireVxlan(f.link(), change);
                FdbEntry entry = new FdbEntry(link.index(), f.mac(), f.destination());
                if (!fdb.contains(entry)) {
                    fdb.add(entry);
                    emit(new KernelEvent.NeighbourChanged(link.index(), false));
                }
            }
            case KernelChange.DeleteFdb f -> {
                Link link = requireVxlan(f.link(), change);
                if (!fdb.remove(new FdbEntry(link.index(), f.mac(), f.destination()))) {
                    throw new KernelException(change + ": ENOENT", ENOENT);
                }
                emit(new KernelEvent.NeighbourChanged(link.index(), true));
            }
            case KernelChange.ReplaceNeighbour n -> {
                Link link = require(n.link());
                neighbours.removeIf(x -> x.linkIndex() == link.index() && x.address().equals(n.address()));
                neighbours.add(new Neighbour(link.index(), n.address(), n.mac()));
                emit(new KernelEvent.NeighbourChanged(link.index(), false));
            }
            case KernelChange.DeleteNeighbour n -> {
                Link link = require(n.link());
                if (!neighbours.removeIf(x -> x.linkIndex() == link.index() && x.address().equals(n.address()))) {
                    throw new KernelException(change + ": ENOENT", ENOENT);
                }
                emit(new KernelEvent.NeighbourChanged(link.index(), true));
            }
        }
        applied.add(change);
    }

    @Override
    public AutoCloseable watch(Consumer<KernelEvent> listener) {
        watchers.add(listener);
        return () -> watchers.remove(listener);
    }

    @Override
    public void close() {
        watchers.clear();
    }

    private void addLink(Link link) {
        links.add(link);
        emit(new KernelEvent.LinkChanged(link.index(), link.name(), false));
    }

    private void replace(Link old, Link updated) {
        links.set(links.indexOf(old), updated);
        emit(new KernelEvent.LinkChanged(updated.index(), updated.name(), false));
    }

    private static Link with(Link l, int mtu, boolean up, int master) {
        return new Link(l.index(), l.name(), l.kind(), l.mac(), mtu, up, master, l.vxlan());
    }

    private Optional<Link> link(int index) {
        return links.stream().filter(l -> l.index() == index).findFirst();
    }

    private void absent(String name) throws KernelException {
        if (links.stream().anyMatch(l -> l.name().equals(name))) {
            throw new KernelException("add link " + name + ": EEXIST (File exists)", EEXIST);
        }
    }

    private Link require(String name) throws KernelException {
        return links.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() ->
                new KernelException(name + ": ENODEV (No such device)", ENODEV));
    }

    private Link requireVxlan(String name, KernelChange change) throws KernelException {
        Link link = require(name);
        if (link.vxlan().isEmpty()) {
            throw new KernelException(change + ": EOPNOTSUPP (" + name + " is not a VXLAN device)", EOPNOTSUPP);
        }
        return link;
    }

    private static void checkVxlanMtu(int mtu, Link underlay) throws KernelException {
        if (mtu > underlay.mtu() - 50) {
            throw new KernelException("vxlan mtu " + mtu + " on " + underlay.name() + ": EINVAL", EINVAL);
        }
    }

    private static Cidr network(Ipv4Address address, int prefixLength) {
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return new Cidr(new Ipv4Address(address.bits() & mask), prefixLength);
    }

    private void emit(KernelEvent event) {
        for (Consumer<KernelEvent> w : watchers) {
            w.accept(event);
        }
    }
}
