package dev.mooring.overlay.reconcile;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.config.UnderlaySelector;
import dev.mooring.overlay.kernel.InMemoryKernel;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/** A host in memory: eth0 (MTU 1500, 198.51.100.11/24, default route) and the default overlay settings. */
final class TestHost {

    static final Ipv4Address ADDRESS = Ipv4Address.parse("100.64.192.10");
    static final OverlaySettings SETTINGS = settings(new UnderlaySelector.Auto(), OptionalInt.empty());

    final InMemoryKernel kernel = new InMemoryKernel();

    TestHost() {
        try {
            kernel.addInterface("eth0", 1500);
            kernel.apply(new KernelChange.AddAddress("eth0", Ipv4Address.parse("198.51.100.11"), 24));
            kernel.addDefaultRoute("eth0", Ipv4Address.parse("198.51.100.1"));
        } catch (KernelException e) {
            throw new IllegalStateException(e);
        }
    }

    static OverlaySettings settings(UnderlaySelector underlay, OptionalInt mtu) {
        return new OverlaySettings(true, OverlaySettings.DEFAULT_CIDR, Ipv4Address.parse("100.64.192.1"),
                OverlaySettings.DEFAULT_VNI, OverlaySettings.DEFAULT_PORT, mtu, underlay, Optional.empty(),
                Optional.of(ADDRESS));
    }

    static OverlaySettings withCidr(Cidr cidr, Ipv4Address vip, Ipv4Address address) {
        return new OverlaySettings(true, cidr, vip, OverlaySettings.DEFAULT_VNI, OverlaySettings.DEFAULT_PORT,
                OptionalInt.empty(), new UnderlaySelector.Auto(), Optional.empty(), Optional.of(address));
    }

    /** Peers h2.. with overlay 100.64.192.11.. and underlay 198.51.100.12.. */
    static List<Peer> peers(int count) {
        return IntStream.range(0, count).mapToObj(i -> new Peer("h" + (i + 2),
                ADDRESS.plus(1 + i), Ipv4Address.parse("198.51.100.12").plus(i))).toList();
    }

    DesiredState desired(List<Peer> peers) throws UnderlayException {
        return DesiredState.of(SETTINGS, ADDRESS, peers, kernel.observe());
    }

    List<KernelChange> plan(List<Peer> peers) throws UnderlayException {
        return Planner.plan(desired(peers), kernel.observe());
    }

    /** Plans and applies; returns what was applied. */
    List<KernelChange> reconcile(List<Peer> peers) throws UnderlayException, KernelException {
        List<KernelChange> plan = plan(peers);
        for (KernelChange c : plan) {
            kernel.apply(c);
        }
        return plan;
    }
}
