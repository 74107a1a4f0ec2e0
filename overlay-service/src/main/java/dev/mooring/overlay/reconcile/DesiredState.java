package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.kernel.LinkAddress;
import dev.mooring.overlay.kernel.Route;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedSet;

/**
 * What the kernel should hold for the overlay: the bridge with this host's overlay address, its
 * VXLAN port on the underlay, and per peer the forwarding entries and a permanent neighbour.
 * A pure function of the settings, this host's address, the peers and one observation (which
 * only supplies the underlay interface).
 *
 * <p>Peers get permanent neighbour entries on the bridge: their addresses and MACs are known, so
 * ARP for them never has to be flooded to every host by head-end replication. The VIP gets none:
 * it moves, and gratuitous ARP keeps the dynamic entries right.
 *
 * @param vip     the configured VIP
 * @param vipMode what the planner does with the VIP on the bridge
 */
public record DesiredState(Bridge bridge, Vxlan vxlan, SequencedSet<Forwarding> forwarding,
                           SequencedSet<StaticNeighbour> neighbours, Ipv4Address vip, VipMode vipMode,
                           Underlay underlay) {

    public static final String BRIDGE = "mooring0";
    public static final String VXLAN = "mooring-vx";

    /** The bridge {@code mooring0}: this host's overlay MAC, MTU and address. */
    public record Bridge(MacAddress mac, int mtu, Ipv4Address address, int prefixLength) {}

    /** The VXLAN port {@code mooring-vx}: always {@code nolearning}, no fixed local address. */
    public record Vxlan(int vni, int port, String underlay, int mtu) {}

    // Forwarding and StaticNeighbour spell out equals and hashCode: the first pass hashes them into
    // sets, and a record's generated methods link through an invokedynamic bootstrap (ObjectMethods)
    // that the AOT cache does not hold: ~8 ms of the service's start, measured with a profiler.

    /** One FDB entry on {@code mooring-vx}: frames for {@code mac} go to {@code destination}. */
    public record Forwarding(MacAddress mac, Ipv4Address destination) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Forwarding f && mac.equals(f.mac) && destination.equals(f.destination);
        }

        @Override
        public int hashCode() {
            return 31 * mac.hashCode() + destination.hashCode();
        }
    }

    /** One permanent neighbour on {@code mooring0}. */
    public record StaticNeighbour(Ipv4Address address, MacAddress mac) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StaticNeighbour n && address.equals(n.address) && mac.equals(n.mac);
        }

        @Override
        public int hashCode() {
            return 31 * address.hashCode() + mac.hashCode();
        }
    }

    /** What the planner does with the configured VIP on {@code mooring0}; no other address is affected. */
    public enum VipMode {
        /** No election runs on this host (static peers): the VIP is left alone, whoever put it there. */
        LEFT_ALONE,
        /** This host holds the VIP: it is on {@code mooring0} as a /32. */
        HELD,
        /** Another host holds the VIP, or nobody: it is removed from {@code mooring0}. */
        RELEASED
    }

    public DesiredState {
        Objects.requireNonNull(vipMode, "vipMode");
        forwarding = unmodifiable(forwarding);
        neighbours = unmodifiable(neighbours);
    }

    /** True for the names of the devices Mooring owns; nothing else is ever changed. */
    public static boolean isMooringLink(String name) {
        return name.equals(BRIDGE) || name.equals(VXLAN);
    }

    /**
     * The desired state for this host when no VIP election runs here: the VIP is left alone on the
     * bridge ({@link VipMode#LEFT_ALONE}).
     *
     * @throws UnderlayException when the underlay interface is missing, the overlay CIDR overlaps
     *                           a network already on the host, or the configured MTU does not fit
     *                           the underlay
     */
    public static DesiredState of(OverlaySettings settings, Ipv4Address address, Collection<Peer> peers,
                                  KernelState observed) throws UnderlayException {
        return of(settings, address, peers, VipMode.LEFT_ALONE, observed);
    }

    /**
     * The desired state for this host under the VIP election: the VIP is on the bridge as a /32
     * while this host holds it and removed from the bridge while it does not.
     *
     * @param heldVip the VIP when this host holds it, empty when it does not
     * @throws IllegalArgumentException when {@code heldVip} is not the configured VIP
     * @throws UnderlayException        as {@link #of(OverlaySettings, Ipv4Address, Collection, KernelState)}
     */
    public static DesiredState of(OverlaySettings settings, Ipv4Address address, Collection<Peer> peers,
                                  Optional<Ipv4Address> heldVip, KernelState observed) throws UnderlayException {
        heldVip.filter(v -> !v.equals(settings.vip())).ifPresent(v -> {
            throw new IllegalArgumentException("heldVip: " + v + " is not the configured VIP " + settings.vip());
        });
        return of(settings, address, peers, heldVip.isPresent() ? VipMode.HELD : VipMode.RELEASED, observed);
    }

    /** The VIP when this host holds it. */
    public Optional<Ipv4Address> heldVip() {
        return vipMode == VipMode.HELD ? Optional.of(vip) : Optional.empty();
    }

    private static DesiredState of(OverlaySettings settings, Ipv4Address address, Collection<Peer> peers,
                                   VipMode vipMode, KernelState observed) throws UnderlayException {
        Underlay underlay = Underlay.select(settings.underlay(), observed);
        refuseOverlap(settings.cidr(), observed);
        int mtu = settings.overlayMtu(underlay.mtu());
        if (mtu > underlay.mtu() - OverlaySettings.VXLAN_OVERHEAD) {
            throw new UnderlayException("the overlay MTU " + mtu + " does not fit the underlay " + underlay.name()
                    + " (MTU " + underlay.mtu() + ", leaving " + (underlay.mtu() - OverlaySettings.VXLAN_OVERHEAD)
                    + " after VXLAN's " + OverlaySettings.VXLAN_OVERHEAD + " bytes); lower overlay.mtu or leave it out");
        }
        List<Peer> sorted = peers.stream().sorted(Peer.BY_ADDRESS).toList();
        SequencedSet<Forwarding> forwarding = new LinkedHashSet<>();
        SequencedSet<StaticNeighbour> neighbours = new LinkedHashSet<>();
        for (Peer p : sorted) {
            // The all-zero entry floods broadcast and unknown unicast to the peer (head-end replication).
            forwarding.add(new Forwarding(MacAddress.ZERO, p.underlay()));
        }
        for (Peer p : sorted) {
            forwarding.add(new Forwarding(p.mac(), p.underlay()));
            neighbours.add(new StaticNeighbour(p.address(), p.mac()));
        }
        return new DesiredState(
                new Bridge(MacAddress.forOverlayAddress(address), mtu, address, settings.cidr().prefixLength()),
                new Vxlan(settings.vni(), settings.port(), underlay.name(), mtu),
                forwarding, neighbours, settings.vip(), vipMode, underlay);
    }

    /** Refuses an overlay CIDR that overlaps an address or route of any interface but Mooring's own. */
    private static void refuseOverlap(Cidr overlay, KernelState observed) throws UnderlayException {
        for (LinkAddress a : observed.addresses()) {
            String link = linkName(observed, a.linkIndex());
            Cidr network = network(a.address(), a.prefixLength());
            if (!isMooringLink(link) && overlay.overlaps(network)) {
                throw new UnderlayException("the overlay CIDR " + overlay + " overlaps " + a.address() + "/" + a.prefixLength()
                        + " on " + link + "; the overlay must use addresses the host does not. Pick another overlay.cidr"
                        + " (e.g. the default " + OverlaySettings.DEFAULT_CIDR + ") before the cluster is created");
            }
        }
        for (Route r : observed.routes()) {
            String link = linkName(observed, r.linkIndex());
            if (!r.isDefault() && !isMooringLink(link) && overlay.overlaps(r.destination())) {
                throw new UnderlayException("the overlay CIDR " + overlay + " overlaps the route to " + r.destination()
                        + " via " + link + "; the overlay must use addresses the host does not route elsewhere."
                        + " Pick another overlay.cidr (e.g. the default " + OverlaySettings.DEFAULT_CIDR + ")");
            }
        }
    }

    private static String linkName(KernelState observed, int index) {
        return observed.link(index).map(l -> l.name()).orElse("ifindex " + index);
    }

    private static Cidr network(Ipv4Address address, int prefixLength) {
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return new Cidr(new Ipv4Address(address.bits() & mask), prefixLength);
    }

    private static <T> SequencedSet<T> unmodifiable(SequencedSet<T> set) {
        return java.util.Collections.unmodifiableSequencedSet(new LinkedHashSet<>(set));
    }
}
