package dev.mooring.overlay.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
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
import dev.mooring.overlay.netlink.Errno;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link NetlinkKernel} against the real kernel in a lab namespace, with iproute2 as the oracle. */
@RequiresNetns
class NetlinkKernelTest {
    private static final MacAddress BRIDGE_MAC = MacAddress.parse("02:00:64:40:c0:0a");
    private static final MacAddress PEER_MAC = MacAddress.parse("02:00:64:40:c0:0b");
    private static final Ipv4Address PEER_UNDERLAY = Ipv4Address.parse("198.51.100.12");

    private NetnsLab lab;
    private String ns;
    private Iproute2Oracle oracle;
    private NetlinkKernel kernel;

    @BeforeEach
    void createLab() throws Exception {
        lab = NetnsLab.create(1);
        ns = lab.host(1).namespace();
        oracle = new Iproute2Oracle(lab, ns);
        kernel = NetlinkKernel.openIn(lab.host(1).namespaceFile());
    }

    @AfterEach
    void removeLab() {
        if (kernel != null) {
            kernel.close();
        }
        lab.close();
    }

    private void sh(String... command) throws Exception {
        lab.exec(ns, command).orThrow();
    }

    @Test
    void observesStateMadeWithIproute2() throws Exception {
        sh("ip", "link", "add", "mr-br", "address", BRIDGE_MAC.toString(), "mtu", "1450", "type", "bridge");
        sh("ip", "link", "add", "mr-vx", "mtu", "1400", "type", "vxlan", "id", "4242", "dstport", "4789", "dev", "eth0", "nolearning");
        sh("ip", "link", "set", "mr-vx", "master", "mr-br");
        sh("ip", "link", "set", "mr-br", "up");
        sh("ip", "address", "add", "100.64.192.10/23", "brd", "+", "dev", "mr-br");
        sh("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "mr-vx", "dst", PEER_UNDERLAY.toString(), "self", "permanent");
        sh("bridge", "fdb", "append", PEER_MAC.toString(), "dev", "mr-vx", "dst", PEER_UNDERLAY.toString(), "self", "permanent");
        sh("ip", "neigh", "replace", "100.64.192.11", "lladdr", PEER_MAC.toString(), "dev", "mr-br", "nud", "permanent");

        KernelState state = kernel.observe();

        Link eth0 = state.link("eth0").orElseThrow();
        Link bridge = state.link("mr-br").orElseThrow();
        Link vxlan = state.link("mr-vx").orElseThrow();
        assertThat(eth0.kind()).isEqualTo("veth");
        assertThat(eth0.index()).isEqualTo(oracle.link("eth0").get("ifindex").asInt());
        assertThat(eth0.mac().toString()).isEqualTo(oracle.link("eth0").get("address").asText());
        // A bridge takes the smallest MTU of its ports: 1400 from mr-vx, as iproute2 also shows.
        assertThat(bridge).isEqualTo(new Link(oracle.link("mr-br").get("ifindex").asInt(), "mr-br", "bridge", BRIDGE_MAC,
                oracle.link("mr-br").get("mtu").asInt(), true, 0, java.util.Optional.empty()));
        assertThat(bridge.mtu()).isEqualTo(1400);
        JsonNode vx = oracle.link("mr-vx");
        JsonNode data = vx.get("linkinfo").get("info_data");
        assertThat(vxlan.kind()).isEqualTo("vxlan");
        assertThat(vxlan.mtu()).isEqualTo(1400).isEqualTo(vx.get("mtu").asInt());
        assertThat(vxlan.up()).isFalse();
        assertThat(vxlan.masterIndex()).isEqualTo(bridge.index());
        assertThat(vxlan.vxlan()).contains(new Link.VxlanInfo(4242, 4789, eth0.index(), false));
        assertThat(data.get("id").asInt()).isEqualTo(4242);
        assertThat(data.get("port").asInt()).isEqualTo(4789);
        assertThat(data.get("link").asText()).isEqualTo("eth0");
        assertThat(oracle.links()).isEqualTo(links(state));

        assertThat(addresses(state)).isEqualTo(oracle.addresses())
                .contains("mr-br:100.64.192.10/23", "eth0:198.51.100.11/24");
        assertThat(state.fdb()).containsExactlyInAnyOrder(
                new FdbEntry(vxlan.index(), MacAddress.ZERO, PEER_UNDERLAY),
                new FdbEntry(vxlan.index(), PEER_MAC, PEER_UNDERLAY));
        assertThat(fdb(state, vxlan)).isEqualTo(oracle.fdb("mr-vx"));
        assertThat(state.neighbours()).containsExactly(new Neighbour(bridge.index(), Ipv4Address.parse("100.64.192.11"), PEER_MAC));
        assertThat(state.defaultRoute()).hasValueSatisfying(r -> {
            assertThat(r.gateway()).contains(Ipv4Address.parse("198.51.100.1"));
            assertThat(r.linkIndex()).isEqualTo(eth0.index());
        });
        assertThat(routes(state)).isEqualTo(oracle.routes());
    }

    @Test
    void appliesEveryChangeTypeAsIproute2SeesIt() throws Exception {
        Ipv4Address overlay = Ipv4Address.parse("100.64.192.10");
        Ipv4Address peer = Ipv4Address.parse("100.64.192.11");
        kernel.apply(new AddBridge("mr-br", BRIDGE_MAC, 1500));
        kernel.apply(new AddVxlan("mr-vx", 4242, 4789, "eth0", 1500));
        JsonNode created = oracle.link("mr-vx");
        assertThat(created.get("flags").toString()).doesNotContain("\"UP\"");
        kernel.apply(new SetMtu("mr-vx", 1450));
        kernel.apply(new SetMtu("mr-br", 1450));
        kernel.apply(new SetMaster("mr-vx", "mr-br"));
        kernel.apply(new SetUp("mr-vx"));
        kernel.apply(new SetUp("mr-br"));
        kernel.apply(new AddAddress("mr-br", overlay, 23));
        kernel.apply(new AppendFdb("mr-vx", MacAddress.ZERO, PEER_UNDERLAY));
        kernel.apply(new AppendFdb("mr-vx", MacAddress.ZERO, Ipv4Address.parse("198.51.100.13")));
        kernel.apply(new AppendFdb("mr-vx", PEER_MAC, PEER_UNDERLAY));
        kernel.apply(new ReplaceNeighbour("mr-br", peer, PEER_MAC));

        assertThat(oracle.links()).contains("mr-br/bridge/1450/up/", "mr-vx/vxlan/1450/up/mr-br");
        JsonNode vx = oracle.link("mr-vx");
        JsonNode data = vx.get("linkinfo").get("info_data");
        assertThat(data.get("id").asInt()).isEqualTo(4242);
        assertThat(data.get("port").asInt()).isEqualTo(4789);
        assertThat(data.get("link").asText()).isEqualTo("eth0");
        assertThat(data.get("learning").asBoolean()).isFalse();
        assertThat(data.has("local")).as("no fixed local address").isFalse();
        assertThat(oracle.link("mr-br").get("address").asText()).isEqualTo(BRIDGE_MAC.toString());
        assertThat(oracle.addresses()).contains("mr-br:100.64.192.10/23");
        assertThat(oracle.broadcastOf("mr-br", "100.64.192.10")).isEqualTo("100.64.193.255");
        assertThat(oracle.fdb("mr-vx")).containsExactlyInAnyOrder(
                "00:00:00:00:00:00>198.51.100.12", "00:00:00:00:00:00>198.51.100.13", "02:00:64:40:c0:0b>198.51.100.12");
        assertThat(oracle.permanentNeighbours()).containsExactly("mr-br:100.64.192.11=02:00:64:40:c0:0b");
        assertThat(lab.exec(ns, "bridge", "-json", "fdb", "show", "dev", "mr-vx").stdout()).contains("\"self\"").contains("permanent");

        KernelState observed = kernel.observe();
        assertThat(links(observed)).isEqualTo(oracle.links());
        assertThat(fdb(observed, observed.link("mr-vx").orElseThrow())).isEqualTo(oracle.fdb("mr-vx"));

        kernel.apply(new ReplaceNeighbour("mr-br", peer, BRIDGE_MAC));
        assertThat(oracle.permanentNeighbours()).containsExactly("mr-br:100.64.192.11=02:00:64:40:c0:0a");
        kernel.apply(new DeleteFdb("mr-vx", MacAddress.ZERO, Ipv4Address.parse("198.51.100.13")));
        assertThat(oracle.fdb("mr-vx")).containsExactlyInAnyOrder("00:00:00:00:00:00>198.51.100.12", "02:00:64:40:c0:0b>198.51.100.12");
        kernel.apply(new DeleteNeighbour("mr-br", peer));
        assertThat(oracle.permanentNeighbours()).isEmpty();
        kernel.apply(new DeleteAddress("mr-br", overlay, 23));
        assertThat(oracle.addresses()).doesNotContain("mr-br:100.64.192.10/23");
        kernel.apply(new DeleteLink("mr-vx"));
        kernel.apply(new DeleteLink("mr-br"));
        assertThat(oracle.links()).noneMatch(l -> l.startsWith("mr-"));
    }

    @Test
    void aDeletedAndRecreatedLinkIsFoundUnderItsNewIndex() throws Exception {
        kernel.apply(new AddBridge("mr-br", BRIDGE_MAC, 1500));
        kernel.observe();
        sh("ip", "link", "del", "mr-br");
        sh("ip", "link", "add", "mr-br", "type", "bridge");
        kernel.apply(new AddAddress("mr-br", Ipv4Address.parse("100.64.192.10"), 23));
        assertThat(oracle.addresses()).contains("mr-br:100.64.192.10/23");
    }

    @Test
    void observesHundredsOfFdbEntriesAcrossManyDatagrams() throws Exception {
        sh("ip", "link", "add", "mr-vx", "type", "vxlan", "id", "7", "dstport", "4789", "dev", "eth0", "nolearning");
        Path batch = Files.createTempFile("mr-fdb", ".batch");
        try {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String peer = "198.51.100." + (20 + i % 200);
                String underlay = i < 200 ? peer : "203.0.113." + (i - 199);
                lines.add("fdb append 00:00:00:00:00:00 dev mr-vx dst " + underlay + " self permanent");
                lines.add("fdb append " + String.format("02:00:64:40:%02x:%02x", i >> 8, i & 0xff) + " dev mr-vx dst " + underlay + " self permanent");
            }
            Files.write(batch, lines);
            sh("bridge", "-batch", batch.toString());
        } finally {
            Files.delete(batch);
        }

        KernelState state = kernel.observe();

        Link vxlan = state.link("mr-vx").orElseThrow();
        assertThat(state.fdbOf(vxlan.index())).hasSize(600);
        assertThat(fdb(state, vxlan)).isEqualTo(oracle.fdb("mr-vx"));
    }

    @Test
    void aDuplicateLinkFailsWithEexistAndChangesNothing() throws Exception {
        kernel.apply(new AddBridge("mr-br", BRIDGE_MAC, 1500));
        String before = oracle.snapshot();

        assertThatThrownBy(() -> kernel.apply(new AddVxlan("mr-br", 42, 4789, "eth0", 1450)))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
                .hasMessageContaining("create vxlan link 'mr-br'")
                .hasMessageContaining("EEXIST (File exists)")
                .hasMessageContaining("a link named 'mr-br' already exists");
        assertThat(oracle.snapshot()).isEqualTo(before);
    }

    @Test
    void aMissingUnderlayFailsWithEnodevNamingItAndChangesNothing() throws Exception {
        String before = oracle.snapshot();

        assertThatThrownBy(() -> kernel.apply(new AddVxlan("mr-vx", 42, 4789, "eth9", 1450)))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV))
                .hasMessageContaining("ENODEV")
                .hasMessageContaining("underlay device 'eth9' does not exist");
        assertThatThrownBy(() -> kernel.apply(new SetUp("mr-nothing")))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV))
                .hasMessageContaining("set 'mr-nothing' up failed: ENODEV");
        assertThatThrownBy(() -> kernel.apply(new AddAddress("mr-nothing", Ipv4Address.parse("100.64.192.10"), 23)))
                .hasMessageContaining("link 'mr-nothing' does not exist");
        assertThat(oracle.snapshot()).isEqualTo(before);
    }

    @Test
    void theKernelsOwnExplanationReachesTheMessage() throws Exception {
        kernel.apply(new AddBridge("mr-br", BRIDGE_MAC, 1500));
        String before = oracle.snapshot();

        // A bridge cannot be its own port; the kernel says so through the extended ACK.
        assertThatThrownBy(() -> kernel.apply(new SetMaster("mr-br", "mr-br")))
                .isInstanceOf(KernelException.class)
                .hasMessageContaining("attach 'mr-br' to bridge 'mr-br' failed")
                .hasMessageContaining("the kernel says \"");
        assertThat(oracle.snapshot()).isEqualTo(before);
    }

    @Test
    void withoutCapNetAdminTheMessageNamesEpermAndTheFix() throws Exception {
        String before = oracle.snapshot();
        List<String> command = new ArrayList<>(List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all",
                "--bounding-set=-net_admin,-net_raw,-sys_admin", "--"));
        command.addAll(NetnsLab.javaCommand(ApplyOneChange.class, "mr-br"));

        NetnsLab.Result result = lab.exec(ns, command.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isEqualTo(ApplyOneChange.KERNEL_REFUSED);
        assertThat(result.stderr())
                .contains("create bridge 'mr-br'")
                .contains("EPERM (Operation not permitted)")
                .contains(NetlinkKernel.EPERM_HINT);
        assertThat(oracle.snapshot()).isEqualTo(before);
    }

    private static Set<String> links(KernelState state) {
        Set<String> out = new TreeSet<>();
        for (Link link : state.links()) {
            String master = link.masterIndex() == 0 ? "" : state.link(link.masterIndex()).orElseThrow().name();
            out.add(link.name() + "/" + link.kind() + "/" + link.mtu() + "/" + (link.up() ? "up" : "down") + "/" + master);
        }
        return out;
    }

    private static Set<String> addresses(KernelState state) {
        return state.addresses().stream()
                .map(a -> state.link(a.linkIndex()).orElseThrow().name() + ":" + a.address() + "/" + a.prefixLength())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> fdb(KernelState state, Link link) {
        return state.fdbOf(link.index()).stream().map(f -> f.mac() + ">" + f.destination())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> routes(KernelState state) {
        List<String> out = new ArrayList<>();
        for (Route route : state.routes()) {
            String dst = route.isDefault() ? "default"
                    : route.destination().prefixLength() == 32 ? route.destination().network().toString() : route.destination().toString();
            out.add(dst + " via " + route.gateway().map(Ipv4Address::toString).orElse("-") + " dev "
                    + state.link(route.linkIndex()).map(Link::name).orElse("-"));
        }
        out.sort(null);
        return out;
    }
}
