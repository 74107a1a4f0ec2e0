package dev.mooring.overlay.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.AddressDerivation;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.membership.MemberState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressSettlementTest {

    private static final AddressDerivation DERIVATION = new AddressDerivation(Cidr.parse("100.64.192.0/29"), Ipv4Address.parse("100.64.192.1"));
    private static final Duration WINDOW = Duration.ofMillis(750);
    private static final long MS = 1_000_000;
    private static final Instant T = Instant.parse("2026-11-27T03:00:00Z");

    @Test
    void aClaimNobodyContestsSettlesAfterTheWindow() {
        AddressSettlement s = new AddressSettlement(DERIVATION, "h1-id", WINDOW, 3, 0);
        assertThat(s.current()).isEqualTo(DERIVATION.candidate("h1-id"));
        assertThat(s.weigh(List.of(), 100 * MS, 1)).isFalse();
        assertThat(s.remaining(100 * MS)).isEqualTo(Duration.ofMillis(650));
        assertThat(s.settled(100 * MS, 3)).isFalse();
        assertThat(s.remaining(750 * MS)).isZero();
        assertThat(s.settled(750 * MS, 3)).isTrue();
    }

    /**
     * A host whose discovery got going late (a slow JVM): the window has long passed, but the claim
     * waits for the rounds that let it hear the others, and a claim heard then still moves it.
     */
    @Test
    void aSlowStartWaitsForItsOwnRoundsAndStillYieldsToAClaimHeardThen() {
        AddressSettlement s = new AddressSettlement(DERIVATION, "h1-id", WINDOW, 3, 0);
        Ipv4Address mine = s.current();
        assertThat(s.weigh(List.of(), 3_000 * MS, 0)).isFalse();
        assertThat(s.settled(3_000 * MS, 0)).isFalse();
        assertThat(s.settled(3_250 * MS, 2)).isFalse();
        // The first round brought a reply: a settled host holds this address.
        assertThat(s.weigh(List.of(ClusterPeersTest.member("zz-id", mine.toString(), "198.51.100.12", MemberState.ALIVE, false, T)),
                3_300 * MS, 2)).isTrue();
        assertThat(s.current()).isNotEqualTo(mine);
        assertThat(s.settled(4_000 * MS, 4)).as("three rounds since the move are due, not two").isFalse();
        assertThat(s.settled(4_100 * MS, 5)).isTrue();
    }

    @Test
    void aPersistedClaimOnOurAddressMovesUsAndRestartsTheWindow() {
        AddressSettlement s = new AddressSettlement(DERIVATION, "h1-id", WINDOW, 3, 0);
        Ipv4Address mine = s.current();
        assertThat(s.weigh(List.of(ClusterPeersTest.member("zz-id", mine.toString(), "198.51.100.12", MemberState.DEAD, false, T)),
                500 * MS, 2)).isTrue();
        assertThat(s.current()).isNotEqualTo(mine);
        assertThat(DERIVATION.isAssignable(s.current())).isTrue();
        assertThat(s.remaining(750 * MS)).isEqualTo(Duration.ofMillis(500));
    }

    /**
     * Hosts settling at the same time in a /29 (five addresses a host may get), hearing each other's
     * claims in random order rounds: their settled addresses are distinct.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void hostsSettlingTogetherEndApart(long seed) {
        Random random = new Random(seed);
        List<String> ids = List.of("h" + random.nextInt(1000) + "-a", "h" + random.nextInt(1000) + "-b",
                "h" + random.nextInt(1000) + "-c", "h" + random.nextInt(1000) + "-d");
        List<AddressSettlement> hosts = ids.stream().map(id -> new AddressSettlement(DERIVATION, id, WINDOW, 3, 0)).toList();
        for (int round = 1; round <= 20; round++) {
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            java.util.Collections.shuffle(order, random);
            for (int i : order) {
                var others = new ArrayList<dev.mooring.overlay.membership.Member>();
                for (int j = 0; j < hosts.size(); j++) {
                    if (j != i) {
                        others.add(ClusterPeersTest.member(ids.get(j), hosts.get(j).current().toString(), "198.51.100." + (20 + j),
                                MemberState.ALIVE, true, T));
                    }
                }
                hosts.get(i).weigh(others, round * 250 * MS, round);
            }
        }
        Set<Ipv4Address> settled = new HashSet<>();
        hosts.forEach(h -> settled.add(h.current()));
        assertThat(settled).hasSize(4).allMatch(DERIVATION::isAssignable);
    }
}
