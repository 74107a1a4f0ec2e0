package dev.mooring.overlay.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig.Role;
import dev.mooring.overlay.netlink.NetworkNamespace;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Real {@link Discovery} instances, one per lab host namespace, in this JVM: each binds its socket
 * from a thread that has entered the host's namespace ({@link Discovery#start(NetworkNamespace)}),
 * so the sockets live there while the event loops run as ordinary threads of the test. That keeps
 * the peer tables and counters directly observable, which child JVMs would hide behind a log.
 */
@RequiresNetns
class DiscoveryNetnsTest {

    // Generous: correctness is asserted here, speed by the benchmarks; the machine may be loaded.
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Ipv4Address BROADCAST = NetnsLab.UNDERLAY.broadcast();
    private static final AnnouncementCodec CODEC = new AnnouncementCodec(Announcements.CLUSTER, Announcements.KEY);

    /** One lab host running discovery, with the description it announces. */
    private record Node(NetnsLab.Host host, String hostId, Discovery discovery, AtomicReference<LocalHost> self) {
        PeerTable table() {
            return discovery.table();
        }

        Map<String, MemberState> view() {
            return table().snapshot().stream().collect(Collectors.toMap(Member::hostId, Member::state));
        }
    }

    private static Node startNode(NetnsLab lab, int number) throws IOException {
        return startNode(lab, number, 1);
    }

    private static Node startNode(NetnsLab lab, int number, long incarnation) throws IOException {
        NetnsLab.Host host = lab.host(number);
        String hostId = "host-" + number;
        Ipv4Address overlay = Ipv4Address.parse("100.64.192." + (10 + number));
        AtomicReference<LocalHost> self = new AtomicReference<>(new LocalHost("node-" + number, overlay, MacAddress.forOverlayAddress(overlay),
                lab.underlayAddress(host), Role.CONTROL_PLANE, Announcement.Flags.NONE));
        // No seeds: the only way to learn of another host is its broadcast.
        Discovery discovery = Discovery.forCluster(Discovery.Settings.defaults(), Announcements.CLUSTER, Announcements.KEY, hostId, incarnation,
                self::get, () -> Optional.of(BROADCAST));
        try (NetworkNamespace namespace = NetworkNamespace.open(host.namespaceFile())) {
            discovery.start(namespace);
        }
        return new Node(host, hostId, discovery, self);
    }

    private static List<Node> startCluster(NetnsLab lab, int count, List<Node> started) throws IOException {
        for (int n = 1; n <= count; n++) {
            started.add(startNode(lab, n));
        }
        return started;
    }

    private static boolean allSeeEachOther(List<Node> nodes) {
        return nodes.stream().allMatch(node -> nodes.stream()
                .filter(other -> other != node)
                .allMatch(other -> node.view().get(other.hostId()) == MemberState.ALIVE));
    }

    @Test
    void threeHostsFindEachOtherByBroadcastFollowAnUnderlayChangeSeeALeaveAndARestart() throws Exception {
        List<Node> nodes = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.create(3)) {
            long first = System.nanoTime();
            startCluster(lab, 3, nodes);
            long last = System.nanoTime();
            Eventually.within(WAIT, "each of three hosts sees the other two alive", () -> allSeeEachOther(nodes));
            // Printed, not asserted: timing belongs to benchmarks.
            long found = System.nanoTime();
            System.err.printf("three hosts started in %d ms and found each other %d ms after the last start%n",
                    (last - first) / 1_000_000, (found - last) / 1_000_000);
            assertThat(nodes.getFirst().table().member("host-2").orElseThrow())
                    .satisfies(m -> {
                        assertThat(m.overlay()).isEqualTo(Ipv4Address.parse("100.64.192.12"));
                        assertThat(m.underlay()).isEqualTo(Ipv4Address.parse("198.51.100.12"));
                        assertThat(m.hostName()).isEqualTo("node-2");
                    });

            Node moving = nodes.getFirst();
            Ipv4Address moved = Ipv4Address.parse("198.51.100.50");
            lab.changeUnderlayAddress(moving.host(), moved);
            LocalHost before = moving.self().get();
            moving.self().set(new LocalHost(before.hostName(), before.overlay(), before.mac(), moved, before.role(), before.flags()));
            moving.discovery().burst();
            Eventually.within(WAIT, "hosts 2 and 3 see host 1 at its new underlay address", () -> nodes.subList(1, 3).stream()
                    .allMatch(n -> n.table().member("host-1").map(Member::underlay).filter(moved::equals).isPresent()));

            Node leaving = nodes.getLast();
            leaving.discovery().leave();
            Eventually.within(WAIT, "hosts 1 and 2 see host 3 dead, by its leaving announcement", () -> nodes.subList(0, 2).stream()
                    .allMatch(n -> n.table().member("host-3").filter(m -> m.state() == MemberState.DEAD && m.flags().leaving()).isPresent()));

            leaving.discovery().close();
            assertThat(lab.exec(leaving.host().namespace(), "ss", "-Hauln", "sport = :" + Discovery.DEFAULT_PORT).orThrow().stdout())
                    .as("UDP sockets on the discovery port after close").isBlank();
            Node restarted = startNode(lab, 3, 2);
            nodes.set(2, restarted);
            Eventually.within(WAIT, "hosts 1 and 2 see host 3 alive again in its new incarnation", () -> nodes.subList(0, 2).stream()
                    .allMatch(n -> n.table().member("host-3").filter(m -> m.state() == MemberState.ALIVE && m.incarnation() == 2).isPresent()));
            Eventually.within(WAIT, "the restarted host 3 sees hosts 1 and 2", () -> allSeeEachOther(nodes));
        } finally {
            nodes.forEach(n -> n.discovery().close());
        }
    }

    @Test
    void forgedReplayedForeignAndGarbageDatagramsChangeNothingAndAreCounted() throws Exception {
        List<Node> nodes = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.create(4)) {
            startCluster(lab, 3, nodes);
            Eventually.within(WAIT, "each of three hosts sees the other two alive", () -> allSeeEachOther(nodes));
            Node target = nodes.get(1);
            InetSocketAddress targetAddress = new InetSocketAddress(InetAddress.getByAddress(lab.underlayAddress(target.host()).toBytes()), Discovery.DEFAULT_PORT);

            try (NetworkNamespace intruderNamespace = NetworkNamespace.open(lab.host(4).namespaceFile());
                 DatagramSocket intruder = intruderNamespace.call(() -> {
                     // Created and bound on the namespace thread: the socket lives in host 4's namespace.
                     DatagramSocket socket = new DatagramSocket(null);
                     socket.setReuseAddress(true);
                     socket.bind(new InetSocketAddress(Discovery.DEFAULT_PORT));
                     socket.setSoTimeout((int) WAIT.toMillis());
                     return socket;
                 })) {
                byte[] genuine = captureAnnouncementOf(intruder, "host-1");
                Announcement original = CODEC.decode(genuine);
                Map<String, MemberState> viewBefore = target.view();
                Member host1Before = target.table().member("host-1").orElseThrow();
                DropCounters.Snapshot before = target.discovery().counters().snapshot();

                Announcement hijack = Announcements.withUnderlay(Announcements.withNonce(new Announcement(original.clusterId(), original.hostId(),
                        original.hostName(), original.overlay(), original.mac(), original.underlay(), original.role(), original.incarnation(),
                        original.sequence() + 1_000_000, System.currentTimeMillis(), original.nonce(), original.flags()), Nonce.random()),
                        Ipv4Address.parse("198.51.100.99"));
                byte[] forged = new AnnouncementCodec(Announcements.CLUSTER, Announcements.OTHER_KEY).encode(hijack);
                byte[] foreign = new AnnouncementCodec("other-site", Announcements.KEY).encode(new Announcement("other-site", "host-9", "intruder",
                        hijack.overlay(), hijack.mac(), hijack.underlay(), hijack.role(), 1, 1, System.currentTimeMillis(), Nonce.random(), hijack.flags()));
                byte[] garbage = "GET / HTTP/1.0\r\n\r\n".getBytes();
                byte[] oversized = Arrays.copyOf(genuine, 1400);
                for (byte[] datagram : List.of(genuine, genuine, forged, foreign, garbage, oversized)) {
                    intruder.send(new DatagramPacket(datagram, datagram.length, targetAddress));
                }

                Eventually.within(WAIT, "host 2 counted every intruding datagram", () -> {
                    DropCounters.Snapshot now = target.discovery().counters().snapshot();
                    return now.dropped(DropReason.REPLAYED) - before.dropped(DropReason.REPLAYED) >= 2
                            && now.dropped(DropReason.BAD_HMAC) - before.dropped(DropReason.BAD_HMAC) == 1
                            && now.dropped(DropReason.FOREIGN_CLUSTER) - before.dropped(DropReason.FOREIGN_CLUSTER) == 1
                            && now.dropped(DropReason.MALFORMED) - before.dropped(DropReason.MALFORMED) == 1
                            && now.dropped(DropReason.OVERSIZED) - before.dropped(DropReason.OVERSIZED) == 1;
                });
                long acceptedAfterAttack = target.discovery().counters().snapshot().accepted();
                Eventually.within(WAIT, "host 2 keeps accepting genuine announcements",
                        () -> target.discovery().counters().snapshot().accepted() > acceptedAfterAttack);

                DropCounters.Snapshot after = target.discovery().counters().snapshot();
                assertThat(after.dropped(DropReason.BAD_HMAC)).isEqualTo(before.dropped(DropReason.BAD_HMAC) + 1);
                assertThat(after.dropped(DropReason.FOREIGN_CLUSTER)).isEqualTo(before.dropped(DropReason.FOREIGN_CLUSTER) + 1);
                assertThat(target.view()).isEqualTo(viewBefore).doesNotContainKey("host-9");
                Member host1After = target.table().member("host-1").orElseThrow();
                assertThat(host1After.underlay()).isEqualTo(host1Before.underlay()).isEqualTo(lab.underlayAddress(lab.host(1)));
                assertThat(host1After.incarnation()).isEqualTo(host1Before.incarnation());
            }
        } finally {
            nodes.forEach(n -> n.discovery().close());
        }
    }

    /** Receives broadcasts until one is a genuine announcement of {@code hostId}; returns it as sent. */
    private static byte[] captureAnnouncementOf(DatagramSocket socket, String hostId) throws IOException {
        byte[] buffer = new byte[AnnouncementCodec.MAX_DATAGRAM];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            byte[] datagram = Arrays.copyOf(packet.getData(), packet.getLength());
            try {
                if (CODEC.decode(datagram).hostId().equals(hostId)) {
                    return datagram;
                }
            } catch (AnnouncementFormatException e) {
                throw new AssertionError("a lab host sent an unreadable announcement: " + e.getMessage(), e);
            }
        }
    }
}
