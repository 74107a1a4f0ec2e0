package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig.Role;
import dev.mooring.overlay.config.OverlayConfig.StaticPeer;
import dev.mooring.overlay.membership.Announcement;
import dev.mooring.overlay.membership.Member;
import dev.mooring.overlay.membership.MemberState;
import dev.mooring.overlay.reconcile.Peer;
import dev.mooring.overlay.vip.Candidate;
import dev.mooring.overlay.vip.VipElection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterPeersTest {

    private static final Ipv4Address SELF = Ipv4Address.parse("100.64.192.10");
    private static final Ipv4Address VIP = Ipv4Address.parse("100.64.192.1");
    private static final Instant T = Instant.parse("2026-11-27T03:00:00Z");

    static Member member(String id, String overlay, String underlay, MemberState state, boolean tentative, Instant heard) {
        Ipv4Address address = Ipv4Address.parse(overlay);
        return new Member(id, id.replace("-id", ""), address, MacAddress.forOverlayAddress(address), Ipv4Address.parse(underlay),
                Role.CONTROL_PLANE, state, new Announcement.Flags(tentative, false, true, false), heard, 1);
    }

    @Test
    void everyMemberIsAPeerDeadOnesIncludedAtTheirLastUnderlay() {
        List<Peer> peers = ClusterPeers.peers(List.of(
                member("h3-id", "100.64.192.13", "198.51.100.13", MemberState.DEAD, false, T),
                member("h2-id", "100.64.192.12", "203.0.113.12", MemberState.ALIVE, false, T)), List.of(), SELF, VIP);
        assertThat(peers).containsExactly(
                new Peer("h2", Ipv4Address.parse("100.64.192.12"), Ipv4Address.parse("203.0.113.12")),
                new Peer("h3", Ipv4Address.parse("100.64.192.13"), Ipv4Address.parse("198.51.100.13")));
    }

    @Test
    void aMemberOverridesTheStaticPeerOfItsAddressAndOtherStaticPeersStay() {
        List<StaticPeer> statics = List.of(
                new StaticPeer("h2", Ipv4Address.parse("100.64.192.12"), Ipv4Address.parse("198.51.100.12")),
                new StaticPeer("h4", Ipv4Address.parse("100.64.192.14"), Ipv4Address.parse("198.51.100.14")));
        List<Peer> peers = ClusterPeers.peers(List.of(member("h2-id", "100.64.192.12", "203.0.113.12", MemberState.ALIVE, false, T)),
                statics, SELF, VIP);
        assertThat(peers).extracting(p -> p.host() + "@" + p.underlay()).containsExactly("h2@203.0.113.12", "h4@198.51.100.14");
    }

    @Test
    void claimsOnThisHostsAddressOrTheVipAreNotForwardedTo() {
        List<Peer> peers = ClusterPeers.peers(List.of(
                member("x-id", SELF.toString(), "198.51.100.20", MemberState.ALIVE, true, T),
                member("y-id", VIP.toString(), "198.51.100.21", MemberState.ALIVE, true, T)), List.of(), SELF, VIP);
        assertThat(peers).isEmpty();
    }

    /** Two hosts claiming one address (one still settling): one forwarding target, the same whatever the order. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void ofTwoClaimsOnOneAddressThePersistedAndHeardOneWins(long seed) {
        List<Member> members = new ArrayList<>(List.of(
                member("a-id", "100.64.192.20", "198.51.100.30", MemberState.ALIVE, true, T.plusSeconds(5)),
                member("b-id", "100.64.192.20", "198.51.100.31", MemberState.SUSPECT, false, T),
                member("c-id", "100.64.192.20", "198.51.100.32", MemberState.ALIVE, false, T)));
        Collections.shuffle(members, new Random(seed));
        assertThat(ClusterPeers.peers(members, List.of(), SELF, VIP))
                .containsExactly(new Peer("c", Ipv4Address.parse("100.64.192.20"), Ipv4Address.parse("198.51.100.32")));
    }

    @Test
    void onlyHeardMembersThatSayTheyMayHoldTheVipAreElectable() {
        Candidate self = ClusterPeers.self("h5-id", Ipv4Address.parse("100.64.192.15"), Role.CONTROL_PLANE, true);
        List<Candidate> candidates = ClusterPeers.candidates(List.of(
                member("h2-id", "100.64.192.12", "198.51.100.12", MemberState.SUSPECT, false, T),
                member("h3-id", "100.64.192.13", "198.51.100.13", MemberState.ALIVE, false, T)), self);
        assertThat(VipElection.holder(candidates)).map(Candidate::hostId).contains("h3-id");
        assertThat(ClusterPeers.self("h5-id", SELF, Role.CONTROL_PLANE, false).eligible()).isFalse();
        assertThat(ClusterPeers.self("h5-id", SELF, Role.WORKER, true).eligible()).isFalse();
    }
}
