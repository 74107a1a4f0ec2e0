package dev.mooring.overlay.reconcile;

import static dev.mooring.overlay.reconcile.DesiredState.BRIDGE;
import static dev.mooring.overlay.reconcile.DesiredState.VXLAN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.KernelState;
import dev.mooring.overlay.kernel.Link;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * From any state the kernel can be in (Mooring's devices missing, half made, wrong, drifted;
 * foreign devices beside them), applying the plan succeeds and reaches exactly the desired state,
 * whose next plan is empty; every foreign link and entry is left exactly as it was.
 */
class PlanProperties {

    private static final Ipv4Address VIP = Ipv4Address.parse("100.64.192.1");

    /**
     * One trial per seed; a failure is named "seed N", and {@code new Random(N)} replays it. Seeds
     * start at 1 so that Maven's report, which shows the invocation index [N], names the seed too.
     */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 300);
    }

    /**
     * What the kernel looks like before planning: changes made by someone else (each op encodes a
     * kind, op % 12, and a parameter, op / 12), and the peers, on their first or on moved underlay addresses.
     */
    record Disorder(List<Integer> ops, Set<Integer> peerIds, boolean peersMoved) {}

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void planningIsIdempotentAndStaysOnItsOwnDevices(long seed) throws Exception {
        assertPlanReachesDesiredStateOnlyOnOwnDevices(anyDisorder(new Random(seed)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edgeDisorders")
    void planningIsIdempotentAndStaysOnItsOwnDevicesAtTheEdges(String name, Disorder disorder) throws Exception {
        assertPlanReachesDesiredStateOnlyOnOwnDevices(disorder);
    }

    static Stream<Arguments> edgeDisorders() {
        List<Integer> everyKindLowAndHigh = IntStream.range(0, 12).boxed().flatMap(kind -> Stream.of(kind, 1188 + kind)).toList();
        return Stream.of(
                Arguments.of("untouched host, no peers", new Disorder(List.of(), Set.of(), false)),
                Arguments.of("untouched host, six moved peers", new Disorder(List.of(), Set.of(2, 3, 4, 5, 6, 7), true)),
                Arguments.of("lowest and highest op, first and last peer", new Disorder(List.of(0, 1199), Set.of(0, 7), false)),
                Arguments.of("every kind at its lowest and highest parameter", new Disorder(everyKindLowAndHigh, Set.of(0, 1, 2), false)),
                Arguments.of("every kind twice at its highest parameter, no peers",
                        new Disorder(IntStream.range(0, 24).map(i -> 1188 + i % 12).boxed().toList(), Set.of(), true)));
    }

    /** Up to 16 ops of 0..1199 (none often) and up to 6 of the 8 peers (none often); peers moved half the time. */
    private static Disorder anyDisorder(Random random) {
        int length = random.nextInt(8) == 0 ? 0 : random.nextInt(17);
        List<Integer> ops = IntStream.range(0, length).mapToObj(i -> random.nextInt(1200)).toList();
        List<Integer> ids = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7));
        Collections.shuffle(ids, random);
        int peers = random.nextInt(8) == 0 ? 0 : random.nextInt(7);
        return new Disorder(ops, Set.copyOf(ids.subList(0, peers)), random.nextBoolean());
    }

    private static void assertPlanReachesDesiredStateOnlyOnOwnDevices(Disorder disorder) throws Exception {
        TestHost host = withForeignDevices();
        for (int op : disorder.ops()) {
            try {
                host.kernel.apply(change(op % 12, op / 12));
            } catch (KernelException refused) {
                // The kernel refuses some of these (EEXIST, ENODEV, EINVAL), as it would for a person.
            }
        }
        List<Peer> peers = disorder.peerIds().stream().sorted().map(i -> peer(i, disorder.peersMoved())).toList();
        KernelState before = host.kernel.observe();

        List<KernelChange> plan = host.plan(peers);
        for (KernelChange c : plan) {
            host.kernel.apply(c);
        }

        assertThat(host.plan(peers)).isEmpty();
        assertThat(plan).allMatch(c -> ChangeTargets.links(c).stream().allMatch(DesiredState::isMooringLink));
        KernelState after = host.kernel.observe();
        assertThat(foreign(after)).isEqualTo(foreign(before));
        assertReached(host.desired(peers), after);
    }

    /** The kernel holds exactly what is desired on Mooring's devices. */
    private static void assertReached(DesiredState d, KernelState s) {
        Link bridge = s.link(BRIDGE).orElseThrow();
        Link vxlan = s.link(VXLAN).orElseThrow();
        assertThat(bridge.kind()).isEqualTo("bridge");
        assertThat(bridge.mac()).isEqualTo(d.bridge().mac());
        assertThat(bridge.mtu()).isEqualTo(d.bridge().mtu());
        assertThat(bridge.up()).isTrue();
        assertThat(vxlan.vxlan()).contains(new Link.VxlanInfo(d.vxlan().vni(), d.vxlan().port(),
                s.link(d.vxlan().underlay()).orElseThrow().index(), false));
        assertThat(vxlan.masterIndex()).isEqualTo(bridge.index());
        assertThat(vxlan.mtu()).isEqualTo(d.vxlan().mtu());
        assertThat(vxlan.up()).isTrue();
        assertThat(s.addressesOf(bridge.index())).allMatch(a -> a.address().equals(VIP)
                || (a.address().equals(d.bridge().address()) && a.prefixLength() == d.bridge().prefixLength()));
        assertThat(s.addressesOf(bridge.index())).anyMatch(a -> a.address().equals(d.bridge().address()));
        assertThat(s.fdbOf(vxlan.index())).map(f -> new DesiredState.Forwarding(f.mac(), f.destination()))
                .containsExactlyInAnyOrderElementsOf(d.forwarding());
        assertThat(s.neighboursOf(bridge.index())).map(n -> new DesiredState.StaticNeighbour(n.address(), n.mac()))
                .containsExactlyInAnyOrderElementsOf(d.neighbours());
    }

    private static KernelChange change(int kind, int p) {
        return switch (kind) {
            case 0 -> new KernelChange.AddBridge(BRIDGE, MacAddress.forOverlayAddress(TestHost.ADDRESS.plus(p % 3)), 1400 + p % 3 * 25);
            case 1 -> new KernelChange.AddVxlan(VXLAN, 4242 + p % 2, 4789, p % 3 == 0 ? "eth1" : "eth0", 1450 - p % 3 * 10);
            case 2 -> new KernelChange.AddVxlan(BRIDGE, 5000 + p, 4789, "eth0", 1450);
            case 3 -> new KernelChange.AddBridge(VXLAN, new MacAddress(0x0a0000000100L + p), 1500);
            case 4 -> new KernelChange.SetMaster(VXLAN, p % 4 == 0 ? "br-foreign" : BRIDGE);
            case 5 -> new KernelChange.SetUp(p % 2 == 0 ? BRIDGE : VXLAN);
            case 6 -> new KernelChange.AddAddress(BRIDGE, Ipv4Address.parse("100.64.192.10").plus(p % 5), 23 + p % 2);
            case 7 -> new KernelChange.AppendFdb(VXLAN, p % 2 == 0 ? MacAddress.ZERO : peer(p % 8, false).mac(),
                    Ipv4Address.parse("198.51.100.12").plus(p % 10));
            case 8 -> new KernelChange.ReplaceNeighbour(BRIDGE, Ipv4Address.parse("100.64.192.11").plus(p % 8),
                    MacAddress.forOverlayAddress(Ipv4Address.parse("100.64.192.11").plus(p % 3)));
            case 9 -> new KernelChange.SetMtu(p % 2 == 0 ? BRIDGE : VXLAN, 1300 + p);
            case 10 -> new KernelChange.AddAddress(BRIDGE, VIP, 32);
            default -> new KernelChange.DeleteLink(p % 2 == 0 ? BRIDGE : VXLAN);
        };
    }

    private static Peer peer(int i, boolean moved) {
        return new Peer("h" + (i + 2), Ipv4Address.parse("100.64.192.11").plus(i),
                Ipv4Address.parse(moved ? "203.0.113.12" : "198.51.100.12").plus(i));
    }

    /** eth0 (the underlay) plus a second NIC, a foreign bridge with a foreign VXLAN port and entries. */
    private static TestHost withForeignDevices() throws KernelException {
        TestHost host = new TestHost();
        host.kernel.addInterface("eth1", 1500);
        host.kernel.apply(new KernelChange.AddAddress("eth1", Ipv4Address.parse("203.0.113.7"), 24));
        host.kernel.apply(new KernelChange.AddBridge("br-foreign", MacAddress.parse("0a:00:00:00:99:01"), 1500));
        host.kernel.apply(new KernelChange.AddAddress("br-foreign", Ipv4Address.parse("10.99.0.1"), 24));
        host.kernel.apply(new KernelChange.AddVxlan("vx-foreign", 99, 8472, "eth1", 1450));
        host.kernel.apply(new KernelChange.SetMaster("vx-foreign", "br-foreign"));
        host.kernel.apply(new KernelChange.AppendFdb("vx-foreign", MacAddress.ZERO, Ipv4Address.parse("203.0.113.8")));
        host.kernel.apply(new KernelChange.ReplaceNeighbour("br-foreign", Ipv4Address.parse("10.99.0.2"), MacAddress.parse("0a:00:00:00:99:02")));
        host.kernel.apply(new KernelChange.ReplaceNeighbour("eth0", Ipv4Address.parse("198.51.100.1"), MacAddress.parse("0a:00:00:00:00:01")));
        return host;
    }

    /** Everything on links that are not Mooring's, by link name (indexes of Mooring's links change). */
    private static List<Object> foreign(KernelState s) {
        List<Link> links = s.links().stream().filter(l -> !DesiredState.isMooringLink(l.name())).toList();
        Set<Integer> indexes = links.stream().map(Link::index).collect(java.util.stream.Collectors.toSet());
        return List.of(links,
                s.addresses().stream().filter(a -> indexes.contains(a.linkIndex())).toList(),
                s.routes().stream().filter(r -> indexes.contains(r.linkIndex())).toList(),
                s.fdb().stream().filter(f -> indexes.contains(f.linkIndex())).toList(),
                s.neighbours().stream().filter(n -> indexes.contains(n.linkIndex())).toList());
    }
}
