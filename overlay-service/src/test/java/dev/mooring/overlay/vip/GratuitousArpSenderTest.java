package dev.mooring.overlay.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.netlink.Errno;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Gratuitous ARP sent from a lab host, received by the test's own AF_PACKET socket on the switch port. */
@RequiresNetns
class GratuitousArpSenderTest {
    private static final Ipv4Address VIP = Ipv4Address.parse("100.64.192.1");
    private static final Ipv4Address END_MARKER = Ipv4Address.parse("100.64.192.254");
    private static final MacAddress MAC = MacAddress.parse("02:00:64:40:c0:0a");
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void sendsTheRequestedNumberOfBroadcastFramesAlternatingRequestAndReply() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1)) {
            int port = lab.json(lab.switchNamespace(), "ip", "-json", "link", "show", "p1").get(0).get("ifindex").asInt();
            try (ArpReceiver receiver = ArpReceiver.bind(Path.of("/run/netns", lab.switchNamespace()), port);
                 GratuitousArpSender sender = GratuitousArpSender.openIn(lab.host(1).namespaceFile())) {

                sender.announce("eth0", VIP, MAC, 5, Duration.ofMillis(10));
                // A different address afterwards marks the end: every frame before it belongs to the announcement.
                sender.announce("eth0", END_MARKER, MAC, 1, Duration.ZERO);

                List<ArpReceiver.Frame> frames = new ArrayList<>();
                while (true) {
                    ArpReceiver.Frame frame = receiver.next(WAIT);
                    if (frame.packet().senderAddress().equals(END_MARKER)) {
                        break;
                    }
                    if (frame.packet().senderAddress().equals(VIP)) {
                        frames.add(frame);
                    }
                }
                GratuitousArpPacket request = new GratuitousArpPacket(GratuitousArpPacket.REQUEST, MAC, VIP, MacAddress.BROADCAST, VIP);
                GratuitousArpPacket reply = new GratuitousArpPacket(GratuitousArpPacket.REPLY, MAC, VIP, MAC, VIP);
                assertThat(frames).extracting(ArpReceiver.Frame::packet).containsExactly(request, reply, request, reply, request);
                assertThat(frames).extracting(ArpReceiver.Frame::packetType).containsOnly(ArpReceiver.PACKET_BROADCAST);
            }
        }
    }

    @Test
    void aMissingOrDownLinkIsNamedInTheError() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1);
             GratuitousArpSender sender = GratuitousArpSender.openIn(lab.host(1).namespaceFile())) {
            assertThatThrownBy(() -> sender.announce("eth9", VIP, MAC, 1, Duration.ZERO))
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV))
                    .hasMessageContaining("announce 100.64.192.1 at 02:00:64:40:c0:0a on 'eth9' failed: ENODEV")
                    .hasMessageContaining("link 'eth9' does not exist");

            lab.exec(lab.host(1).namespace(), "ip", "link", "set", "eth0", "down").orThrow();
            assertThatThrownBy(() -> sender.announce("eth0", VIP, MAC, 1, Duration.ZERO))
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENETDOWN))
                    .hasMessageContaining("the link is down");
        }
    }

    @Test
    void withoutCapNetRawTheMessageNamesEpermAndTheFix() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1)) {
            List<String> command = new ArrayList<>(List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all",
                    "--bounding-set=-net_raw,-net_admin", "--"));
            command.addAll(NetnsLab.javaCommand(AnnounceOnce.class, "eth0"));

            NetnsLab.Result result = lab.exec(lab.host(1).namespace(), command.toArray(String[]::new));

            assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isEqualTo(AnnounceOnce.REFUSED);
            assertThat(result.stderr()).contains("EPERM (Operation not permitted)").contains(GratuitousArpSender.EPERM_HINT);
        }
    }

    @Test
    void aReceiverTimesOutWhenNothingIsSent() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1)) {
            int port = lab.json(lab.switchNamespace(), "ip", "-json", "link", "show", "p1").get(0).get("ifindex").asInt();
            try (ArpReceiver receiver = ArpReceiver.bind(Path.of("/run/netns", lab.switchNamespace()), port)) {
                assertThatThrownBy(() -> receiver.next(Duration.ofMillis(50))).isInstanceOf(TimeoutException.class);
            }
        }
    }
}
