package dev.mooring.overlay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.service.OverlayStatus;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hosts that know nothing of each other but the cluster key: discovery finds every host,
 * derived addresses settle apart, every pair pings over the overlay. Then the underlay moves (static
 * changes standing in for DHCP): one host gets another address in the same subnet, then every host
 * moves to another subnet at once; each time every pair pings again and no overlay address has
 * moved. h1 and h2 are control-plane hosts: exactly one holds the VIP.
 */
@RequiresNetns
class OverlayDiscoveryNetnsTest {

    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void hostsFindEachOtherAndFollowAnUnderlayChange() throws Exception {
        try (OverlayLab overlay = new OverlayLab(3, dir)) {
            List<NetnsLab.Host> hosts = overlay.lab.hosts();
            List<NetnsLab.Background> services = new java.util.ArrayList<>();
            for (NetnsLab.Host host : hosts) {
                overlay.discoveryConfig(host, "");
                services.add(overlay.start(host));
            }
            Eventually.within(CONVERGE, "every host sees two alive members", () -> hosts.stream().allMatch(h -> {
                OverlayStatus s = status(overlay, h);
                return s.members().size() == 2 && s.members().stream().allMatch(m -> m.state().equals("alive"));
            }));
            Map<NetnsLab.Host, Ipv4Address> addresses = new HashMap<>();
            for (NetnsLab.Host host : hosts) {
                OverlayStatus s = status(overlay, host);
                assertThat(s.overlay().addressSource()).isEqualTo("derived");
                assertThat(s.incarnation()).isEqualTo(1);
                addresses.put(host, Ipv4Address.parse(s.overlay().address()));
            }
            assertThat(addresses.values()).doesNotHaveDuplicates();
            allPairsPing(overlay, addresses);
            Eventually.within(CONVERGE, "h1 and h2 agree on one VIP holder", () -> {
                OverlayStatus s1 = status(overlay, hosts.get(0));
                OverlayStatus s2 = status(overlay, hosts.get(1));
                return s1.vip().holder() != null && s1.vip().holder().equals(s2.vip().holder()) && s1.vip().held() != s2.vip().held();
            });

            NetnsLab.Host moved = overlay.lab.host(2);
            overlay.lab.changeUnderlayAddress(moved, Ipv4Address.parse("198.51.100.52"));
            awaitKnownAt(overlay, moved, "198.51.100.52", services);
            allPairsPing(overlay, addresses);

            // A site-wide renumbering: every host moves to 203.0.113.0/24 at once.
            for (NetnsLab.Host host : hosts) {
                overlay.lab.changeUnderlayAddress(host, Ipv4Address.parse("203.0.113.1" + host.number()));
            }
            for (NetnsLab.Host host : hosts) {
                awaitKnownAt(overlay, host, "203.0.113.1" + host.number(), services);
            }
            allPairsPing(overlay, addresses);
            for (NetnsLab.Host host : hosts) {
                assertThat(status(overlay, host).overlay().address()).isEqualTo(addresses.get(host).toString());
            }
            OverlayStatus h2 = status(overlay, moved);
            assertThat(h2.underlay().addresses()).containsExactly("203.0.113.12");
            assertThat(h2.discovery().dropped()).containsEntry("bad-hmac", 0L).containsEntry("replayed", 0L);
            NetnsLab.Result metrics = overlay.lab.exec(moved.namespace(), "curl", "-s", "--max-time", "5", h2.metrics());
            assertThat(metrics.stdout()).as(metrics.stderr()).containsPattern("mooring_underlay_changes_total [1-9]")
                    .contains("mooring_overlay_peers{state=\"alive\"} 2");

            // The VIP lives on the holder's bridge and answers; a clean stop hands it to the other control-plane host.
            String vip = h2.vip().address();
            int holder = status(overlay, hosts.get(0)).vip().held() ? 0 : 1;
            NetnsLab.Host other = hosts.get(1 - holder);
            assertThat(vipOn(overlay, hosts.get(holder), vip)).isTrue();
            assertThat(vipOn(overlay, other, vip)).isFalse();
            Eventually.within(CONVERGE, "h3 reaches the VIP", () -> overlay.lab.exec(hosts.get(2).namespace(),
                    "ping", "-n", "-c", "1", "-W", "1", vip).succeeded());
            services.get(holder).stop(Duration.ofSeconds(10));
            assertThat(vipOn(overlay, hosts.get(holder), vip)).as("released on stop").isFalse();
            assertThat(overlay.oracle(hosts.get(holder))).contains("address mooring0 " + addresses.get(hosts.get(holder)) + "/23");
            Eventually.within(CONVERGE, "h" + other.number() + " takes the VIP", () -> vipOn(overlay, other, vip));
            Eventually.within(CONVERGE, "h3 reaches the VIP at its new holder", () -> overlay.lab.exec(hosts.get(2).namespace(),
                    "ping", "-n", "-c", "1", "-W", "1", vip).succeeded());
        }
    }

    @Test
    void twoHostsGivenOneStaticAddressAreToldSoAndKeepIt() throws Exception {
        try (OverlayLab overlay = new OverlayLab(2, dir)) {
            List<NetnsLab.Background> services = new java.util.ArrayList<>();
            for (NetnsLab.Host host : overlay.lab.hosts()) {
                Path config = overlay.discoveryConfig(host, "");
                Files.writeString(config, Files.readString(config).replace("overlay: {key: ", "overlay: {address: 100.64.192.50, key: "));
                services.add(overlay.start(host));
            }
            for (NetnsLab.Background service : services) {
                Eventually.within(CONVERGE, "the conflict is logged; log:\n" + service.output(),
                        () -> service.output().contains("announces this host's overlay address 100.64.192.50; "));
            }
            for (NetnsLab.Host host : overlay.lab.hosts()) {
                OverlayStatus s = status(overlay, host);
                assertThat(s.overlay().address()).isEqualTo("100.64.192.50");
                assertThat(s.peers()).as("a host on this host's own address is no peer").isEmpty();
            }
        }
    }

    /** Waits until every other host knows {@code host} alive at {@code underlay}. */
    private static void awaitKnownAt(OverlayLab overlay, NetnsLab.Host host, String underlay, List<NetnsLab.Background> services)
            throws InterruptedException {
        String name = "h" + host.number();
        Eventually.within(CONVERGE, "every other host knows " + name + " alive at " + underlay + "; its log:\n"
                        + services.get(host.number() - 1).output(),
                () -> overlay.lab.hosts().stream().filter(h -> !h.equals(host)).allMatch(h -> status(overlay, h).members().stream()
                        .anyMatch(m -> m.host().equals(name) && m.underlay().equals(underlay) && m.state().equals("alive"))));
    }

    private static boolean vipOn(OverlayLab overlay, NetnsLab.Host host, String vip) throws java.io.IOException {
        return overlay.oracle(host).contains("address mooring0 " + vip + "/32");
    }

    private static OverlayStatus status(OverlayLab overlay, NetnsLab.Host host) {
        try {
            return OverlayStatus.read(overlay.statusFile(host));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void allPairsPing(OverlayLab overlay, Map<NetnsLab.Host, Ipv4Address> addresses) throws Exception {
        for (NetnsLab.Host from : overlay.lab.hosts()) {
            for (NetnsLab.Host to : overlay.lab.hosts()) {
                if (!from.equals(to)) {
                    Eventually.within(CONVERGE, "h" + from.number() + " pings h" + to.number() + " at " + addresses.get(to),
                            () -> overlay.lab.exec(from.namespace(), "ping", "-n", "-c", "1", "-W", "1",
                                    addresses.get(to).toString()).succeeded());
                }
            }
        }
    }
}
