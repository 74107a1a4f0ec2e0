package dev.mooring.overlay.reconcile;

import static dev.mooring.overlay.reconcile.DesiredState.BRIDGE;
import static dev.mooring.overlay.reconcile.DesiredState.VXLAN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelChange.AddAddress;
import dev.mooring.overlay.kernel.KernelChange.AddBridge;
import dev.mooring.overlay.kernel.KernelChange.AddVxlan;
import dev.mooring.overlay.kernel.KernelChange.AppendFdb;
import dev.mooring.overlay.kernel.KernelChange.DeleteAddress;
import dev.mooring.overlay.kernel.KernelChange.DeleteFdb;
import dev.mooring.overlay.kernel.KernelChange.DeleteLink;
import dev.mooring.overlay.kernel.KernelChange.DeleteNeighbour;
import dev.mooring.overlay.kernel.KernelChange.ReplaceNeighbour;
import dev.mooring.overlay.kernel.KernelChange.SetMaster;
import dev.mooring.overlay.kernel.KernelChange.SetMtu;
import dev.mooring.overlay.kernel.KernelChange.SetUp;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.kernel.Link;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static final Ipv4Address H2 = Ipv4Address.parse("100.64.192.11");
    private static final Ipv4Address H2_UNDERLAY = Ipv4Address.parse("198.51.100.12");
    private static final MacAddress H2_MAC = MacAddress.parse("02:00:64:40:c0:0b");

    private final TestHost host = new TestHost();

    @Test
    void fromNothingCreatesConfiguresAddressesAndForwardsInThatOrder() throws Exception {
        List<KernelChange> plan = host.plan(TestHost.peers(1));
        assertThat(plan).containsExactly(
                new AddBridge(BRIDGE, MacAddress.parse("02:00:64:40:c0:0a"), 1450),
                new AddVxlan(VXLAN, 4242, 4789, "eth0", 1450),
                new SetMaster(VXLAN, BRIDGE),
                new SetUp(BRIDGE),
                new SetUp(VXLAN),
                new AddAddress(BRIDGE, TestHost.ADDRESS, 23),
                new AppendFdb(VXLAN, MacAddress.ZERO, H2_UNDERLAY),
                new AppendFdb(VXLAN, H2_MAC, H2_UNDERLAY),
                new ReplaceNeighbour(BRIDGE, H2, H2_MAC));
    }

    @Test
    void overACorrectKernelPlansNothing() throws Exception {
        host.reconcile(TestHost.peers(3));
        assertThat(host.plan(TestHost.peers(3))).isEmpty();
    }

    @Test
    void aDeletedFdbEntryIsPutBack() throws Exception {
        host.reconcile(TestHost.peers(2));
        host.kernel.apply(new DeleteFdb(VXLAN, MacAddress.ZERO, H2_UNDERLAY));
        assertThat(host.plan(TestHost.peers(2))).containsExactly(new AppendFdb(VXLAN, MacAddress.ZERO, H2_UNDERLAY));
    }

    @Test
    void aDeletedAddressIsPutBack() throws Exception {
        host.reconcile(TestHost.peers(2));
        host.kernel.apply(new DeleteAddress(BRIDGE, TestHost.ADDRESS, 23));
        assertThat(host.plan(TestHost.peers(2))).containsExactly(new AddAddress(BRIDGE, TestHost.ADDRESS, 23));
    }

    @Test
    void aLinkSetDownComesBackUp() throws Exception {
        host.reconcile(TestHost.peers(1));
        KernelState observed = host.kernel.observe();
        Link vx = observed.link(VXLAN).orElseThrow();
        KernelState down = replaceLink(observed, new Link(vx.index(), vx.name(), vx.kind(), vx.mac(), vx.mtu(), false,
                vx.masterIndex(), vx.vxlan()));
        assertThat(Planner.plan(host.desired(TestHost.peers(1)), down)).containsExactly(new SetUp(VXLAN));
    }

    @Test
    void aDeletedBridgeIsRecreatedAndTheVxlanPortReattachedWithoutRecreatingIt() throws Exception {
        host.reconcile(TestHost.peers(1));
        host.kernel.apply(new DeleteLink(BRIDGE));
        List<KernelChange> plan = host.plan(TestHost.peers(1));
        assertThat(plan).containsExactly(
                new AddBridge(BRIDGE, MacAddress.parse("02:00:64:40:c0:0a"), 1450),
                new SetMaster(VXLAN, BRIDGE),
                new SetUp(BRIDGE),
                new AddAddress(BRIDGE, TestHost.ADDRESS, 23),
                new ReplaceNeighbour(BRIDGE, H2, H2_MAC));
    }

    @Test
    void anUnderlayChangeRecreatesOnlyTheVxlanDevice() throws Exception {
        host.kernel.addInterface("eth1", 1500);
        host.reconcile(TestHost.peers(1));
        // DHCP moved the default route to eth1.
        host.kernel.addDefaultRoute("eth1", Ipv4Address.parse("203.0.113.1"));
        KernelState observed = host.kernel.observe();
        KernelState moved = new KernelState(observed.links(), observed.addresses(),
                observed.routes().stream().filter(r -> !r.isDefault() || r.linkIndex() == observed.link("eth1").orElseThrow().index()).toList(),
                observed.fdb(), observed.neighbours());
        List<KernelChange> plan = Planner.plan(DesiredState.of(TestHost.SETTINGS, TestHost.ADDRESS, TestHost.peers(1), moved), moved);
        assertThat(plan).containsExactly(
                new DeleteLink(VXLAN),
                new AddVxlan(VXLAN, 4242, 4789, "eth1", 1450),
                new SetMaster(VXLAN, BRIDGE),
                new SetUp(VXLAN),
                new AppendFdb(VXLAN, MacAddress.ZERO, H2_UNDERLAY),
                new AppendFdb(VXLAN, H2_MAC, H2_UNDERLAY));
        assertThat(plan).noneMatch(c -> c instanceof AddAddress || c instanceof DeleteAddress);
    }

    @Test
    void aPeerAddedGetsItsEntriesAndAPeerRemovedLosesThem() throws Exception {
        host.reconcile(TestHost.peers(2));
        Peer h4 = TestHost.peers(3).get(2);
        assertThat(host.plan(TestHost.peers(3))).containsExactly(
                new AppendFdb(VXLAN, MacAddress.ZERO, h4.underlay()),
                new AppendFdb(VXLAN, h4.mac(), h4.underlay()),
                new ReplaceNeighbour(BRIDGE, h4.address(), h4.mac()));
        Peer h3 = TestHost.peers(2).get(1);
        assertThat(host.plan(TestHost.peers(1))).containsExactly(
                new DeleteFdb(VXLAN, MacAddress.ZERO, h3.underlay()),
                new DeleteFdb(VXLAN, h3.mac(), h3.underlay()),
                new DeleteNeighbour(BRIDGE, h3.address()));
    }

    @Test
    void aPeerThatMovedGetsNewEntriesBeforeTheOldOnesGo() throws Exception {
        host.reconcile(TestHost.peers(1));
        Ipv4Address moved = Ipv4Address.parse("203.0.113.12");
        assertThat(host.plan(List.of(new Peer("h2", H2, moved)))).containsExactly(
                new AppendFdb(VXLAN, MacAddress.ZERO, moved),
                new AppendFdb(VXLAN, H2_MAC, moved),
                new DeleteFdb(VXLAN, MacAddress.ZERO, H2_UNDERLAY),
                new DeleteFdb(VXLAN, H2_MAC, H2_UNDERLAY));
    }

    @Test
    void strayAddressesOnTheBridgeGoButTheVipStays() throws Exception {
        host.reconcile(TestHost.peers(1));
        host.kernel.apply(new AddAddress(BRIDGE, Ipv4Address.parse("100.64.192.1"), 32));
        host.kernel.apply(new AddAddress(BRIDGE, Ipv4Address.parse("100.64.192.99"), 23));
        host.kernel.apply(new AddAddress(BRIDGE, TestHost.ADDRESS, 24));
        assertThat(host.plan(TestHost.peers(1))).containsExactly(
                new DeleteAddress(BRIDGE, Ipv4Address.parse("100.64.192.99"), 23),
                new DeleteAddress(BRIDGE, TestHost.ADDRESS, 24));
    }

    @Test
    void aWrongMtuIsSetPortFirst() throws Exception {
        host.reconcile(TestHost.peers(1));
        host.kernel.apply(new SetMtu(BRIDGE, 1400));
        host.kernel.apply(new SetMtu(VXLAN, 1400));
        assertThat(host.plan(TestHost.peers(1))).containsExactly(new SetMtu(VXLAN, 1450), new SetMtu(BRIDGE, 1450));
    }

    @Test
    void aLearningOrForeignDeviceUnderOurNameIsReplaced() throws Exception {
        host.reconcile(TestHost.peers(1));
        KernelState observed = host.kernel.observe();
        Link vx = observed.link(VXLAN).orElseThrow();
        KernelState learning = replaceLink(observed, new Link(vx.index(), vx.name(), vx.kind(), vx.mac(), vx.mtu(), true,
                vx.masterIndex(), vx.vxlan().map(x -> new Link.VxlanInfo(x.vni(), x.port(), x.underlayIndex(), true))));
        assertThat(Planner.plan(host.desired(TestHost.peers(1)), learning)).startsWith(new DeleteLink(VXLAN),
                new AddVxlan(VXLAN, 4242, 4789, "eth0", 1450));
    }

    @Test
    void neverNamesAnotherLink() throws Exception {
        host.kernel.addInterface("mooring1", 1500);
        host.kernel.addInterface("vx-other", 1500);
        List<KernelChange> plan = host.reconcile(TestHost.peers(4));
        assertThat(plan).allMatch(c -> ChangeTargets.links(c).stream().allMatch(DesiredState::isMooringLink));
    }

    @Test
    void teardownDeletesOnlyMooringDevicesThatExist() throws Exception {
        assertThat(Planner.teardown(host.kernel.observe())).isEmpty();
        host.reconcile(TestHost.peers(2));
        assertThat(Planner.teardown(host.kernel.observe())).containsExactly(new DeleteLink(VXLAN), new DeleteLink(BRIDGE));
        for (KernelChange c : Planner.teardown(host.kernel.observe())) {
            host.kernel.apply(c);
        }
        KernelState after = host.kernel.observe();
        assertThat(after.links()).extracting(Link::name).containsExactly("lo", "eth0");
        assertThat(after.fdb()).isEmpty();
        assertThat(after.neighbours()).isEmpty();
        assertThat(after.addresses()).extracting(a -> a.address().toString()).containsExactly("198.51.100.11");
    }

    private static KernelState replaceLink(KernelState s, Link link) {
        return new KernelState(s.links().stream().map(l -> l.index() == link.index() ? link : l).toList(),
                s.addresses(), s.routes(), s.fdb(), s.neighbours());
    }
}
