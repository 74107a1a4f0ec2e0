package dev.mooring.overlay.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.netlink.NetworkNamespace;
import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.RequiresNetns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Announcements that must change nothing: h1..h3 form the cluster; h4 is an intruder on the same
 * wire running a real {@code mooring overlay run} with the wrong key (forged) or for another
 * cluster, and a real announcement of h1 is captured off the wire and sent again (replayed).
 * Each time the members, the forwarding table and the VIP of h1..h3 stay exactly as they were,
 * and the drop counter for that reason (metrics) grows on every member.
 */
@RequiresNetns
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityDrillTest {

    private static final Duration SEEN = Duration.ofSeconds(30);
    private static final int DISCOVERY_PORT = OverlayConfig.Discovery.DEFAULT_PORT;
    /** Sent several times, so the count cannot come from a broadcast and a unicast copy arriving out of order. */
    private static final int REPLAYS = 3;

    private DhcpLab dhcp;
    private OverlayHosts overlay;
    private List<NetnsLab.Host> members;
    private NetnsLab.Host intruder;

    @BeforeAll
    void threeMembersAndAnIntruder() throws Exception {
        dhcp = DhcpLab.create(4);
        overlay = new OverlayHosts(dhcp.netns(), 1, OverlayHosts.Settings.defaults());
        members = dhcp.netns().hosts().subList(0, 3);
        intruder = dhcp.netns().host(4);
        overlay.startAll(members);
        overlay.awaitTrue(SEEN, "every member lists the two others",
                () -> overlay.members(members.get(0)).size() == 2 && overlay.members(members.get(1)).size() == 2
                        && overlay.members(members.get(2)).size() == 2);
        // h1, the only control-plane host, takes the VIP once its address has settled: the steady state.
        overlay.awaitTrue(SEEN, "h1 alone holds the VIP", () -> overlay.vipHolders(members).equals(List.of(members.get(0))));
    }

    @AfterAll
    void tearDown() {
        if (overlay != null) {
            overlay.close();
        }
        if (dhcp != null) {
            dhcp.close();
        }
    }

    @Test
    void anAnnouncementWithTheWrongKeyIsDroppedAsBadHmac() throws Exception {
        intrude(overlay.settings().withKey(OverlayHosts.Settings.randomKey()), "bad-hmac");
    }

    @Test
    void anAnnouncementForAnotherClusterIsDroppedAsForeign() throws Exception {
        intrude(overlay.settings().withCluster("other"), "foreign-cluster");
    }

    @Test
    void aCapturedAnnouncementSentAgainIsDroppedAsReplayed() throws Exception {
        NetnsLab.Host h1 = members.get(0);
        NetnsLab.Host h2 = members.get(1);
        Map<NetnsLab.Host, String> before = view();
        double replayedBefore = overlay.dropped(h2, "replayed");

        // Capture on the switch: h1's broadcast reaches br0 (198.51.100.1) like every other port.
        byte[] captured = capture(dhcp.netns().switchNamespace(), dhcp.lease(h1).address());
        // Send it again from h1's own namespace, so even its source address is right.
        try (NetworkNamespace ns = NetworkNamespace.open(h1.namespaceFile());
             DatagramChannel channel = ns.call(() -> DatagramChannel.open(StandardProtocolFamily.INET))) {
            InetSocketAddress target = new InetSocketAddress(InetAddress.getByAddress(dhcp.lease(h2).address().toBytes()), DISCOVERY_PORT);
            for (int i = 0; i < REPLAYS; i++) {
                channel.send(ByteBuffer.wrap(captured), target);
            }
        }

        overlay.awaitTrue(SEEN, "h2 counts the " + REPLAYS + " replayed copies",
                () -> overlay.dropped(h2, "replayed") >= replayedBefore + REPLAYS);
        assertThat(view()).isEqualTo(before);
    }

    /** Runs the intruder with {@code settings} until every member counted a drop for {@code reason}; nothing else may change. */
    private void intrude(OverlayHosts.Settings settings, String reason) throws Exception {
        Map<NetnsLab.Host, String> before = view();
        Map<NetnsLab.Host, Double> droppedBefore = new LinkedHashMap<>();
        for (NetnsLab.Host h : members) {
            droppedBefore.put(h, overlay.dropped(h, reason));
        }
        overlay.forgetState(intruder);
        overlay.start(intruder, settings);
        try {
            for (NetnsLab.Host h : members) {
                overlay.awaitTrue(SEEN, "h" + h.number() + " counts the intruder's announcements as " + reason,
                        () -> overlay.dropped(h, reason) > droppedBefore.get(h));
            }
            assertThat(view()).isEqualTo(before);
            assertThat(overlay.members(intruder)).as("the intruder learnt no member either").isEmpty();
        } finally {
            overlay.stop(intruder);
        }
    }

    /** Members (status file), forwarding table and VIP holder of every member, one text per host. */
    private Map<NetnsLab.Host, String> view() throws Exception {
        Map<NetnsLab.Host, String> out = new LinkedHashMap<>();
        for (NetnsLab.Host h : members) {
            out.put(h, "members " + overlay.members(h) + "\nfdb " + overlay.fdb(h) + "\nmooring0 " + overlay.bridgeAddresses(h));
        }
        return out;
    }

    /** The first discovery datagram from {@code source} heard on UDP 4793 in {@code namespace}. */
    private static byte[] capture(String namespace, Ipv4Address source) throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.open(Path.of("/run/netns", namespace));
             DatagramChannel channel = ns.call(() -> DatagramChannel.open(StandardProtocolFamily.INET))) {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), DISCOVERY_PORT));
            ExecutorService receiver = Executors.newSingleThreadExecutor();
            try {
                Future<byte[]> heard = receiver.submit(() -> {
                    ByteBuffer buffer = ByteBuffer.allocate(2048);
                    while (true) {
                        buffer.clear();
                        SocketAddress from = channel.receive(buffer);
                        if (((InetSocketAddress) from).getAddress().equals(InetAddress.getByAddress(source.toBytes()))) {
                            buffer.flip();
                            byte[] bytes = new byte[buffer.remaining()];
                            buffer.get(bytes);
                            return bytes;
                        }
                    }
                });
                return heard.get(SEEN.toSeconds(), TimeUnit.SECONDS);
            } finally {
                receiver.shutdownNow();
            }
        }
    }
}
