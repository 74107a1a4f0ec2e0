package dev.mooring.overlay.vip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.KernelException;
import dev.mooring.overlay.kernel.NetlinkKernel;
import dev.mooring.overlay.reconcile.DesiredState;
import dev.mooring.overlay.reconcile.Peer;
import dev.mooring.overlay.reconcile.Planner;
import dev.mooring.overlay.reconcile.UnderlayException;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Two lab hosts joined by the overlay. {@link VipHolder} on h1, wired to the real kernel (netlink)
 * and the real gratuitous ARP sender, puts the VIP on h1's mooring0; the announcement crosses the
 * VXLAN to h2, where the test's own AF_PACKET socket on h2's mooring-vx receives it, and h2 pings
 * the VIP. A release takes it off again.
 */
@RequiresNetns
class VipHolderNetnsTest {

    private static final OverlaySettings SETTINGS = OverlaySettings.defaults(OverlaySettings.DEFAULT_CIDR);
    private static final Ipv4Address VIP = SETTINGS.vip();
    private static final Ipv4Address H1 = Ipv4Address.parse("100.64.192.10");
    private static final Ipv4Address H2 = Ipv4Address.parse("100.64.192.11");
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** What the service's reconciler does with the held VIP, done at once: observe, plan, apply. */
    private static void reconcile(NetlinkKernel kernel, Ipv4Address self, Peer peer, Optional<Ipv4Address> held) {
        try {
            DesiredState desired = DesiredState.of(SETTINGS, self, List.of(peer), held, kernel.observe());
            for (KernelChange change : Planner.plan(desired, kernel.observe())) {
                kernel.apply(change);
            }
        } catch (KernelException | UnderlayException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> bridgeAddresses(NetnsLab lab, NetnsLab.Host host) throws Exception {
        JsonNode links = lab.json(host.namespace(), "ip", "-4", "-json", "address", "show", "dev", DesiredState.BRIDGE);
        return StreamSupport.stream(links.get(0).get("addr_info").spliterator(), false)
                .map(a -> a.get("local").asText() + "/" + a.get("prefixlen").asInt()).sorted().toList();
    }

    @Test
    void theHolderAddsTheVipAnnouncesItOverTheOverlayAndReleasesIt() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (NetnsLab lab = NetnsLab.create(2);
             NetlinkKernel h1 = NetlinkKernel.openIn(lab.host(1).namespaceFile());
             NetlinkKernel h2 = NetlinkKernel.openIn(lab.host(2).namespaceFile());
             GratuitousArpSender sender = GratuitousArpSender.openIn(lab.host(1).namespaceFile())) {
            Peer peerOfH1 = new Peer("h2", H2, lab.underlayAddress(lab.host(2)));
            Peer peerOfH2 = new Peer("h1", H1, lab.underlayAddress(lab.host(1)));
            reconcile(h1, H1, peerOfH1, Optional.empty());
            reconcile(h2, H2, peerOfH2, Optional.empty());
            int vxlanOfH2 = lab.json(lab.host(2).namespace(), "ip", "-json", "link", "show", DesiredState.VXLAN)
                    .get(0).get("ifindex").asInt();
            List<String> log = new ArrayList<>();

            try (ArpReceiver receiver = ArpReceiver.bind(lab.host(2).namespaceFile(), vxlanOfH2);
                 VipHolder holder = new VipHolder(VIP, MacAddress.forOverlayAddress(H1),
                         held -> reconcile(h1, H1, peerOfH1, held), sender, VipHolder.Scheduler.of(scheduler),
                         Clock.systemUTC(), log::add)) {
                holder.update(true);

                assertThat(bridgeAddresses(lab, lab.host(1))).containsExactly("100.64.192.1/32", "100.64.192.10/23");
                List<GratuitousArpPacket> frames = new ArrayList<>();
                while (frames.size() < 3) {
                    GratuitousArpPacket packet = receiver.next(WAIT).packet();
                    if (packet.senderAddress().equals(VIP)) {
                        frames.add(packet);
                    }
                }
                MacAddress mac = MacAddress.forOverlayAddress(H1);
                assertThat(frames).containsExactly(GratuitousArpPacket.request(VIP, mac), GratuitousArpPacket.reply(VIP, mac),
                        GratuitousArpPacket.request(VIP, mac));
                NetnsLab.Result ping = lab.exec(lab.host(2).namespace(), "ping", "-c", "1", "-W", "2", VIP.toString());
                assertThat(ping.exitCode()).as(ping.stdout() + ping.stderr()).isZero();

                holder.update(false);

                assertThat(bridgeAddresses(lab, lab.host(1))).containsExactly("100.64.192.10/23");
                assertThat(log).isEmpty();
            }
        } finally {
            scheduler.shutdownNow();
            assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
