package dev.mooring.overlay.reconcile;

import static dev.mooring.overlay.reconcile.DesiredState.BRIDGE;
import static dev.mooring.overlay.reconcile.DesiredState.VXLAN;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.kernel.Link;
import dev.mooring.overlay.kernel.LinkAddress;
import dev.mooring.overlay.kernel.Neighbour;
import dev.mooring.overlay.reconcile.DesiredState.Forwarding;
import dev.mooring.overlay.reconcile.DesiredState.StaticNeighbour;
import dev.mooring.overlay.reconcile.DesiredState.VipMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The difference between a desired and an observed state, as kernel changes in a safe order:
 * replace devices that cannot be fixed in place, create, configure (MTU, master, up), add the
 * address, add forwarding and neighbour entries, and only then remove what is stale, so traffic
 * that works keeps working while the rest is fixed.
 *
 * <p>Every change names {@code mooring0} or {@code mooring-vx}; nothing else on the host is
 * touched. A wrong VXLAN device (other VNI, port or underlay, learning on) is recreated; the
 * overlay address lives on the bridge, so that never moves it. The VIP is added as a /32 while
 * this host holds it and removed, before anything else, while it does not ({@link VipMode}); only
 * the configured VIP on {@code mooring0} is ever touched that way.
 */
public final class Planner {

    /** The held VIP is a host route on the bridge: the host's own address already covers the CIDR. */
    public static final int VIP_PREFIX = 32;

    private Planner() {}

    public static List<KernelChange> plan(DesiredState desired, KernelState observed) {
        List<KernelChange> out = new ArrayList<>();
        List<KernelChange> removals = new ArrayList<>();
        DesiredState.Bridge b = desired.bridge();
        DesiredState.Vxlan v = desired.vxlan();

        Optional<Link> bridge = observed.link(BRIDGE);
        if (bridge.isPresent() && !bridgeFits(bridge.get(), b)) {
            out.add(new KernelChange.DeleteLink(BRIDGE));
            bridge = Optional.empty();
        }
        Optional<Link> vxlan = observed.link(VXLAN);
        if (vxlan.isPresent() && !vxlanFits(vxlan.get(), v, observed)) {
            out.add(new KernelChange.DeleteLink(VXLAN));
            vxlan = Optional.empty();
        }
        List<LinkAddress> addresses = bridge.map(l -> observed.addressesOf(l.index())).orElse(List.of());
        if (desired.vipMode() == VipMode.RELEASED) {
            // Before any other fix: a release must not wait on changes that may fail, or two hosts answer for the VIP.
            addresses.stream().filter(a -> a.address().equals(desired.vip()))
                    .forEach(a -> out.add(new KernelChange.DeleteAddress(BRIDGE, a.address(), a.prefixLength())));
        }
        if (bridge.isEmpty()) {
            out.add(new KernelChange.AddBridge(BRIDGE, b.mac(), b.mtu()));
        }
        if (vxlan.isEmpty()) {
            out.add(new KernelChange.AddVxlan(VXLAN, v.vni(), v.port(), v.underlay(), v.mtu()));
        }
        // Port before bridge: a VXLAN port may not exceed its underlay, and the bridge follows its ports.
        if (vxlan.isPresent() && vxlan.get().mtu() != v.mtu()) {
            out.add(new KernelChange.SetMtu(VXLAN, v.mtu()));
        }
        if (bridge.isPresent() && bridge.get().mtu() != b.mtu()) {
            out.add(new KernelChange.SetMtu(BRIDGE, b.mtu()));
        }
        if (vxlan.isEmpty() || bridge.isEmpty() || vxlan.get().masterIndex() != bridge.get().index()) {
            out.add(new KernelChange.SetMaster(VXLAN, BRIDGE));
        }
        if (bridge.isEmpty() || !bridge.get().up()) {
            out.add(new KernelChange.SetUp(BRIDGE));
        }
        if (vxlan.isEmpty() || !vxlan.get().up()) {
            out.add(new KernelChange.SetUp(VXLAN));
        }

        if (addresses.stream().noneMatch(a -> a.address().equals(b.address()) && a.prefixLength() == b.prefixLength())) {
            out.add(new KernelChange.AddAddress(BRIDGE, b.address(), b.prefixLength()));
        }
        if (desired.vipMode() == VipMode.HELD && addresses.stream().noneMatch(a -> isHeldVip(a, desired))) {
            out.add(new KernelChange.AddAddress(BRIDGE, desired.vip(), VIP_PREFIX));
        }
        for (LinkAddress a : addresses) {
            boolean own = a.address().equals(b.address()) && a.prefixLength() == b.prefixLength();
            boolean vipDone = switch (desired.vipMode()) {
                case LEFT_ALONE, RELEASED -> a.address().equals(desired.vip()); // kept, or deleted first above
                case HELD -> isHeldVip(a, desired);
            };
            if (!own && !vipDone) {
                removals.add(new KernelChange.DeleteAddress(BRIDGE, a.address(), a.prefixLength()));
            }
        }

        Set<Forwarding> present = new LinkedHashSet<>();
        vxlan.ifPresent(l -> observed.fdbOf(l.index()).forEach(f -> present.add(new Forwarding(f.mac(), f.destination()))));
        for (Forwarding f : desired.forwarding()) {
            if (!present.contains(f)) {
                out.add(new KernelChange.AppendFdb(VXLAN, f.mac(), f.destination()));
            }
        }
        for (Forwarding f : present) {
            if (!desired.forwarding().contains(f)) {
                removals.add(new KernelChange.DeleteFdb(VXLAN, f.mac(), f.destination()));
            }
        }

        Map<Ipv4Address, MacAddress> neighbours = new HashMap<>();
        bridge.ifPresent(l -> observed.neighboursOf(l.index()).forEach(n -> neighbours.put(n.address(), n.mac())));
        Set<Ipv4Address> wanted = new LinkedHashSet<>();
        for (StaticNeighbour n : desired.neighbours()) {
            wanted.add(n.address());
            if (!n.mac().equals(neighbours.get(n.address()))) {
                out.add(new KernelChange.ReplaceNeighbour(BRIDGE, n.address(), n.mac()));
            }
        }
        bridge.ifPresent(l -> {
            for (Neighbour n : observed.neighboursOf(l.index())) {
                if (!wanted.contains(n.address())) {
                    removals.add(new KernelChange.DeleteNeighbour(BRIDGE, n.address()));
                }
            }
        });

        out.addAll(removals);
        return List.copyOf(out);
    }

    /**
     * What {@code mooring overlay down} does: delete the VXLAN port, then the bridge, where they
     * exist. Their addresses, FDB and neighbour entries go with them; nothing else is touched.
     */
    public static List<KernelChange> teardown(KernelState observed) {
        return java.util.stream.Stream.of(VXLAN, BRIDGE)
                .filter(name -> observed.link(name).isPresent())
                .<KernelChange>map(KernelChange.DeleteLink::new)
                .toList();
    }

    private static boolean isHeldVip(LinkAddress a, DesiredState desired) {
        return a.address().equals(desired.vip()) && a.prefixLength() == VIP_PREFIX;
    }

    private static boolean bridgeFits(Link link, DesiredState.Bridge b) {
        return link.kind().equals("bridge") && link.mac().equals(b.mac());
    }

    private static boolean vxlanFits(Link link, DesiredState.Vxlan v, KernelState observed) {
        return link.kind().equals("vxlan") && link.vxlan().filter(x -> x.vni() == v.vni() && x.port() == v.port()
                && !x.learning()
                && observed.link(x.underlayIndex()).map(u -> u.name().equals(v.underlay())).orElse(false)).isPresent();
    }
}
