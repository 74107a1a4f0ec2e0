package dev.mooring.overlay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.overlay.address.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DHCP lab itself: real leases, the outage in both renewal modes, a host that boots later, and no host file touched. */
@RequiresNetns
class DhcpLabTest {

    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    @Test
    void everyHostAppliesItsOwnLeaseFromTheFirstNetworkAndMovesWithTheOutage() throws Exception {
        byte[] resolvBefore = Files.exists(RESOLV_CONF) ? Files.readAllBytes(RESOLV_CONF) : null;
        try (DhcpLab dhcp = DhcpLab.create(3)) {
            List<Ipv4Address> first = new ArrayList<>();
            for (NetnsLab.Host host : dhcp.netns().hosts()) {
                Ipv4Address address = dhcp.lease(host).address();
                assertThat(address.bits() & 0xff).as("offset of %s", address).isBetween(100, 199);
                assertThat(NetnsLab.UNDERLAY.contains(address)).as(address.toString()).isTrue();
                assertThat(eth0(dhcp, host)).containsExactly(address + "/24");
                assertThat(defaultGateway(dhcp, host)).isEqualTo("198.51.100.1");
                first.add(address);
            }
            assertThat(first).doesNotHaveDuplicates();

            Map<NetnsLab.Host, DhcpLab.Lease> moved = dhcp.outage(NetnsLab.MOVED_UNDERLAY);
            assertThat(moved).hasSize(3);
            for (NetnsLab.Host host : dhcp.netns().hosts()) {
                DhcpLab.Lease lease = moved.get(host);
                assertThat(NetnsLab.MOVED_UNDERLAY.contains(lease.address())).as(lease.toString()).isTrue();
                assertThat(dhcp.lease(host)).isEqualTo(lease);
                assertThat(eth0(dhcp, host)).containsExactly(lease.address() + "/24");
                assertThat(defaultGateway(dhcp, host)).isEqualTo("203.0.113.1");
            }
            assertThat(dhcp.serverLog()).contains("DHCPACK(br0) 203.0.113.");
        }
        if (resolvBefore != null) {
            assertThat(Files.readAllBytes(RESOLV_CONF)).as("the host's /etc/resolv.conf is untouched").isEqualTo(resolvBefore);
        }
    }

    @Test
    void aPlainRenewGetsANakAndThenALeaseFromTheNewNetwork() throws Exception {
        try (DhcpLab dhcp = DhcpLab.create(1)) {
            NetnsLab.Host h1 = dhcp.netns().host(1);
            DhcpLab.Lease lease = dhcp.outage(NetnsLab.MOVED_UNDERLAY, List.of(h1), DhcpLab.Renewal.RENEW).get(h1);
            assertThat(NetnsLab.MOVED_UNDERLAY.contains(lease.address())).isTrue();
            assertThat(dhcp.events(h1)).extracting(DhcpLab.Event::name).containsSubsequence("bound", "nak", "deconfig", "bound");
            assertThat(dhcp.serverLog()).contains("DHCPNAK(br0)", "wrong network");
        }
    }

    @Test
    void aHostThatWasDownDuringTheOutageBootsIntoTheNewNetwork() throws Exception {
        try (DhcpLab dhcp = DhcpLab.create(2)) {
            NetnsLab.Host h1 = dhcp.netns().host(1);
            NetnsLab.Host h2 = dhcp.netns().host(2);
            dhcp.stopClient(h2);
            dhcp.disconnect(h2);
            dhcp.outage(NetnsLab.MOVED_UNDERLAY);
            assertThat(NetnsLab.UNDERLAY.contains(dhcp.lease(h2).address())).as("h2 missed the outage").isTrue();
            assertThat(NetnsLab.MOVED_UNDERLAY.contains(dhcp.lease(h1).address())).isTrue();

            dhcp.reconnect(h2);
            DhcpLab.Lease rejoined = dhcp.bootClient(h2);
            assertThat(NetnsLab.MOVED_UNDERLAY.contains(rejoined.address())).as(rejoined.toString()).isTrue();
            assertThat(eth0(dhcp, h2)).containsExactly(rejoined.address() + "/24");
        }
    }

    private static List<String> eth0(DhcpLab dhcp, NetnsLab.Host host) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode link : dhcp.netns().json(host.namespace(), "ip", "-json", "-4", "address", "show", "dev", host.device())) {
            for (JsonNode a : link.path("addr_info")) {
                out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
            }
        }
        return out;
    }

    private static String defaultGateway(DhcpLab dhcp, NetnsLab.Host host) throws Exception {
        JsonNode routes = dhcp.netns().json(host.namespace(), "ip", "-json", "-4", "route", "show", "default");
        return routes.path(0).path("gateway").asText("(none)");
    }
}
