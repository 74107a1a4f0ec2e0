package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig.StaticPeer;
import dev.mooring.overlay.hub.HubPeer;
import dev.mooring.overlay.reconcile.Peer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hub's peers as a second source: they fill gaps and never replace what the file or discovery says. */
class ClusterPeersHubTest {

    private static final Cidr CIDR = Cidr.parse("100.64.192.0/23");
    private static final Ipv4Address SELF = Ipv4Address.parse("100.64.192.10");
    private static final Ipv4Address VIP = Ipv4Address.parse("100.64.192.1");

    private static HubPeer peer(String name, String overlay, String... underlay) {
        return new HubPeer("id-" + name, name, "worker", Ipv4Address.parse(overlay),
                List.of(underlay).stream().map(Ipv4Address::parse).toList(), Instant.EPOCH);
    }

    @Test
    void leavesOutThisHostTheVipAndWhatCannotBeForwardedTo() {
        List<StaticPeer> out = ClusterPeers.hubPeers(List.of(
                peer("self", "100.64.192.10", "198.51.100.10"),
                peer("vip", "100.64.192.1", "198.51.100.1"),
                peer("none", "100.64.192.20"),
                peer("inside", "100.64.192.21", "100.64.192.99"),
                peer("outside", "10.0.0.5", "198.51.100.5"),
                peer("ok", "100.64.192.22", "100.64.192.98", "203.0.113.22")), SELF, VIP, CIDR);
        assertThat(out).containsExactly(new StaticPeer("ok", Ipv4Address.parse("100.64.192.22"), Ipv4Address.parse("203.0.113.22")));
    }

    @Test
    void theFilesPeersWinOverTheHubsForTheSameAddress() {
        List<StaticPeer> statics = new ArrayList<>(List.of(new StaticPeer("h2", Ipv4Address.parse("100.64.192.12"),
                Ipv4Address.parse("198.51.100.12"))));
        statics.addAll(ClusterPeers.hubPeers(List.of(peer("h2", "100.64.192.12", "203.0.113.99"),
                peer("h3", "100.64.192.13", "198.51.100.13")), SELF, VIP, CIDR));
        List<Peer> peers = ClusterPeers.peers(List.of(), statics, SELF, VIP);
        assertThat(peers).extracting(p -> p.address() + " " + p.underlay())
                .containsExactly("100.64.192.12 198.51.100.12", "100.64.192.13 198.51.100.13");
    }
}
