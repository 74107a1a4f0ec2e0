package dev.mooring.overlay.reconcile;

import static dev.mooring.overlay.reconcile.DesiredState.BRIDGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelChange.AddAddress;
import dev.mooring.overlay.kernel.KernelChange.DeleteAddress;
import dev.mooring.overlay.kernel.KernelException;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The planner under the VIP election: the VIP is a /32 on mooring0 while held and gone while not. */
class VipPlanTest {

    private static final Ipv4Address VIP = TestHost.SETTINGS.vip();
    private static final List<Peer> PEERS = TestHost.peers(2);

    private final TestHost host = new TestHost();

    private List<KernelChange> plan(Optional<Ipv4Address> held) throws Exception {
        return Planner.plan(DesiredState.of(TestHost.SETTINGS, TestHost.ADDRESS, PEERS, held, host.kernel.observe()),
                host.kernel.observe());
    }

    private List<KernelChange> reconcile(Optional<Ipv4Address> held) throws Exception {
        List<KernelChange> plan = plan(held);
        for (KernelChange c : plan) {
            host.kernel.apply(c);
        }
        return plan;
    }

    private List<String> bridgeAddresses() throws Exception {
        var observed = host.kernel.observe();
        return observed.addressesOf(observed.link(BRIDGE).orElseThrow().index()).stream()
                .map(a -> a.address() + "/" + a.prefixLength()).sorted().toList();
    }

    @Test
    void aHeldVipIsAddedAsA32RightAfterTheHostsOwnAddress() throws Exception {
        List<KernelChange> plan = plan(Optional.of(VIP));
        int own = plan.indexOf(new AddAddress(BRIDGE, TestHost.ADDRESS, 23));
        assertThat(own).isNotNegative();
        assertThat(plan.get(own + 1)).isEqualTo(new AddAddress(BRIDGE, VIP, 32));
    }

    @Test
    void holdingIsIdempotent() throws Exception {
        reconcile(Optional.of(VIP));
        assertThat(bridgeAddresses()).containsExactly("100.64.192.1/32", "100.64.192.10/23");
        assertThat(plan(Optional.of(VIP))).isEmpty();
    }

    @Test
    void onAHostThatHasItsOverlayTakingTheVipAddsOnlyTheVip() throws Exception {
        reconcile(Optional.empty());
        assertThat(plan(Optional.of(VIP))).containsExactly(new AddAddress(BRIDGE, VIP, 32));
    }

    @Test
    void releasingRemovesTheVipAndNothingElse() throws Exception {
        reconcile(Optional.of(VIP));
        assertThat(reconcile(Optional.empty())).containsExactly(new DeleteAddress(BRIDGE, VIP, 32));
        assertThat(bridgeAddresses()).containsExactly("100.64.192.10/23");
        assertThat(plan(Optional.empty())).isEmpty();
    }

    @Test
    void aReleaseComesBeforeEveryOtherChangeSoAFailingOneCannotHoldItUp() throws Exception {
        reconcile(Optional.of(VIP));
        host.kernel.apply(new KernelChange.SetMtu(BRIDGE, 1400));
        host.kernel.apply(new DeleteAddress(BRIDGE, TestHost.ADDRESS, 23));
        List<KernelChange> plan = plan(Optional.empty());
        assertThat(plan).hasSizeGreaterThan(1).first().isEqualTo(new DeleteAddress(BRIDGE, VIP, 32));
    }

    @Test
    void aVipLeftOnTheBridgeByAnyoneIsRemovedWhileNotHeldWhateverItsPrefix() throws Exception {
        reconcile(Optional.empty());
        host.kernel.apply(new AddAddress(BRIDGE, VIP, 24));
        assertThat(reconcile(Optional.empty())).containsExactly(new DeleteAddress(BRIDGE, VIP, 24));
    }

    @Test
    void aHeldVipWithAnotherPrefixIsReplacedByThe32AddedFirst() throws Exception {
        reconcile(Optional.empty());
        host.kernel.apply(new AddAddress(BRIDGE, VIP, 23));
        assertThat(plan(Optional.of(VIP))).containsExactly(new AddAddress(BRIDGE, VIP, 32), new DeleteAddress(BRIDGE, VIP, 23));
    }

    static LongStream seeds() {
        return LongStream.range(0, 100);
    }

    /**
     * Any sequence of holds, releases and drift (the VIP or stray addresses added by hand, the own
     * address deleted): after each pass the bridge has the own address, the VIP as a /32 exactly
     * while held, nothing else, and the next plan is empty.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyPassReachesTheHeldStateAndTheNextPlansNothing(long seed) throws Exception {
        Random random = new Random(seed);
        for (int step = 0; step < 12; step++) {
            switch (random.nextInt(4)) {
                case 0 -> host.kernel.observe().link(BRIDGE).ifPresent(l -> apply(new AddAddress(BRIDGE, VIP, 23 + random.nextInt(2) * 9)));
                case 1 -> host.kernel.observe().link(BRIDGE).ifPresent(l -> apply(new AddAddress(BRIDGE, VIP.plus(50 + random.nextInt(3)), 23)));
                case 2 -> host.kernel.observe().link(BRIDGE).ifPresent(l -> apply(new DeleteAddress(BRIDGE, TestHost.ADDRESS, 23)));
                default -> { }
            }
            Optional<Ipv4Address> held = random.nextBoolean() ? Optional.of(VIP) : Optional.empty();
            reconcile(held);
            assertThat(bridgeAddresses()).as("step %d, held %s", step, held).containsExactlyInAnyOrderElementsOf(
                    held.isPresent() ? List.of("100.64.192.10/23", "100.64.192.1/32") : List.of("100.64.192.10/23"));
            assertThat(plan(held)).isEmpty();
        }
    }

    private void apply(KernelChange change) {
        try {
            host.kernel.apply(change);
        } catch (KernelException e) {
            // Already there (EEXIST) or already gone (ENOENT): this step drifts nothing.
        }
    }

    @Test
    void withoutAnElectionTheVipIsLeftAloneAsBefore() throws Exception {
        reconcile(Optional.empty());
        host.kernel.apply(new AddAddress(BRIDGE, VIP, 32));
        DesiredState unmanaged = DesiredState.of(TestHost.SETTINGS, TestHost.ADDRESS, PEERS, host.kernel.observe());
        assertThat(unmanaged.vipMode()).isEqualTo(DesiredState.VipMode.LEFT_ALONE);
        assertThat(unmanaged.heldVip()).isEmpty();
        assertThat(Planner.plan(unmanaged, host.kernel.observe())).isEmpty();
    }

    @Test
    void theHeldVipIsReportedAndMustBeTheConfiguredOne() throws Exception {
        var observed = host.kernel.observe();
        assertThat(DesiredState.of(TestHost.SETTINGS, TestHost.ADDRESS, PEERS, Optional.of(VIP), observed).heldVip()).contains(VIP);
        assertThat(DesiredState.of(TestHost.SETTINGS, TestHost.ADDRESS, PEERS, Optional.empty(), observed).vipMode())
                .isEqualTo(DesiredState.VipMode.RELEASED);
        assertThatThrownBy(() -> DesiredState.of(TestHost.SETTINGS, TestHost.ADDRESS, PEERS,
                Optional.of(Ipv4Address.parse("100.64.192.2")), observed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heldVip: 100.64.192.2 is not the configured VIP 100.64.192.1");
    }
}
