package dev.mooring.overlay.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.RequiresNetns;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outage drill: three hosts whose underlay addresses come from dnsmasq (198.51.100.0/24) run
 * {@code mooring overlay run} with discovery only. The DHCP server is stopped, its leases cleared,
 * and it comes back serving 203.0.113.0/24; the clients take new leases. Afterwards every host
 * has the overlay address it had before and every pair reaches every other over the overlay.
 */
@RequiresNetns
class DhcpOutageDrillTest {

    /** Generous: the aim is 200 ms (measured by RecoveryBench), the bound only keeps a broken build from hanging. */
    private static final Duration RECOVERY = Duration.ofSeconds(20);

    private DhcpLab dhcp;
    private OverlayHosts overlay;

    @BeforeEach
    void threeHostsOnDhcp() throws Exception {
        dhcp = DhcpLab.create(3);
        overlay = new OverlayHosts(dhcp.netns(), 1, OverlayHosts.Settings.defaults());
        overlay.startAll(dhcp.netns().hosts());
        awaitAllPairs("before the outage");
    }

    @AfterEach
    void tearDown() {
        if (overlay != null) {
            overlay.close();
        }
        if (dhcp != null) {
            dhcp.close();
        }
    }

    @Test
    void allThreeHostsChangeAtOnceAndKeepTheirOverlayAddresses() throws Exception {
        Map<NetnsLab.Host, Ipv4Address> before = overlay.overlayAddresses();
        assertThat(before.values()).doesNotHaveDuplicates().allMatch(a -> overlay.settings().cidr().contains(a));

        for (var network : List.of(NetnsLab.MOVED_UNDERLAY, NetnsLab.UNDERLAY)) {
            Map<NetnsLab.Host, DhcpLab.Lease> leases = dhcp.outage(network);
            assertThat(leases.values()).allMatch(l -> network.contains(l.address()));

            awaitAllPairs("after the move to " + network);
            assertThat(overlay.overlayAddresses()).as("overlay addresses after the move to %s", network).isEqualTo(before);
            for (NetnsLab.Host host : dhcp.netns().hosts()) {
                assertThat(overlay.fdb(host)).as("h%d forwards only to the peers' new underlay addresses", host.number())
                        .allMatch(entry -> network.contains(Ipv4Address.parse(entry.substring(entry.indexOf(" dst ") + 5))))
                        .isNotEmpty();
                assertThat(overlay.status(host).path("overlay").path("address").asText()).isEqualTo(before.get(host).toString());
            }
        }
    }

    @Test
    void aHostThatIsDownDuringTheChangeRejoinsWithItsAddress() throws Exception {
        Map<NetnsLab.Host, Ipv4Address> before = overlay.overlayAddresses();
        NetnsLab.Host h1 = dhcp.netns().host(1);
        NetnsLab.Host h2 = dhcp.netns().host(2);
        NetnsLab.Host h3 = dhcp.netns().host(3);

        // h3 goes dark: service and DHCP client die, the cable is pulled.
        overlay.kill(h3);
        dhcp.stopClient(h3);
        dhcp.disconnect(h3);
        dhcp.outage(NetnsLab.MOVED_UNDERLAY, List.of(h1, h2), DhcpLab.Renewal.RELEASE_REBIND);
        overlay.awaitTrue(RECOVERY, "h1 and h2 reach each other while h3 is down",
                () -> overlay.ping(h1, before.get(h2)) && overlay.ping(h2, before.get(h1)));

        // h3 boots: its kernel state is gone, it takes a lease from the new network, its service starts.
        dhcp.reconnect(h3);
        overlay.forgetKernelState(h3);
        DhcpLab.Lease lease = dhcp.bootClient(h3);
        assertThat(NetnsLab.MOVED_UNDERLAY.contains(lease.address())).as(lease.toString()).isTrue();
        overlay.start(h3);

        awaitAllPairs("after h3 rejoined");
        assertThat(overlay.overlayAddresses()).isEqualTo(before);
    }

    private void awaitAllPairs(String when) throws InterruptedException {
        overlay.awaitTrue(RECOVERY, "every pair pings over the overlay " + when,
                () -> overlay.unreachablePairs().isEmpty());
    }
}
