package dev.mooring.overlay.vip;

import static dev.mooring.overlay.config.OverlayConfig.Role.CONTROL_PLANE;
import static dev.mooring.overlay.config.OverlayConfig.Role.WORKER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VipElectionTest {

    private static Candidate member(String id, String overlay, OverlayConfig.Role role, boolean alive, boolean eligible) {
        return new Candidate(id, Ipv4Address.parse(overlay), role, alive, eligible);
    }

    @Test
    void theLowestAddressedAliveEligibleControlPlaneMemberHolds() {
        List<Candidate> members = List.of(
                member("w", "100.64.192.2", WORKER, true, true),
                member("dead", "100.64.192.3", CONTROL_PLANE, false, true),
                member("unhealthy", "100.64.192.4", CONTROL_PLANE, true, false),
                member("c2", "100.64.192.20", CONTROL_PLANE, true, true),
                member("c1", "100.64.192.9", CONTROL_PLANE, true, true));
        assertThat(VipElection.holder(members)).map(Candidate::hostId).contains("c1");
        assertThat(VipElection.holds("c1", members)).isTrue();
        assertThat(VipElection.holds("c2", members)).isFalse();
    }

    @Test
    void addressesCompareAsUnsignedNumbersNotAsText() {
        List<Candidate> members = List.of(member("a", "100.64.192.10", CONTROL_PLANE, true, true),
                member("b", "100.64.192.9", CONTROL_PLANE, true, true));
        assertThat(VipElection.holder(members)).map(Candidate::hostId).contains("b");
    }

    @Test
    void nobodyHoldsWithoutAnEligibleControlPlaneMember() {
        assertThat(VipElection.holder(List.of())).isEmpty();
        assertThat(VipElection.holder(List.of(member("w", "100.64.192.2", WORKER, true, true),
                member("c", "100.64.192.3", CONTROL_PLANE, false, true)))).isEmpty();
        assertThat(VipElection.holds("w", List.of(member("w", "100.64.192.2", WORKER, true, true)))).isFalse();
    }

    @Test
    void twoMembersClaimingOneAddressAreOrderedByHostId() {
        List<Candidate> members = List.of(member("b", "100.64.192.5", CONTROL_PLANE, true, true),
                member("a", "100.64.192.5", CONTROL_PLANE, true, true));
        assertThat(VipElection.holder(members)).map(Candidate::hostId).contains("a");
    }

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    /**
     * A cluster split in two: each side sees the other's members as dead and elects its own holder.
     * Once the partition heals every host sees every member alive again, in whatever order its
     * table lists them, and every host names the same single holder.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void afterAPartitionHealsEveryHostNamesTheSameSingleHolder(long seed) {
        Random random = new Random(seed);
        int n = 2 + random.nextInt(9);
        List<Candidate> all = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int host;
            do {
                host = 2 + random.nextInt(500);
            } while (!used.add(host));
            all.add(new Candidate("h" + i, Ipv4Address.parse("100.64.192.0").plus(host),
                    random.nextInt(3) == 0 ? WORKER : CONTROL_PLANE, true, random.nextInt(5) != 0));
        }
        Set<String> sideA = new HashSet<>();
        all.forEach(c -> {
            if (random.nextBoolean()) {
                sideA.add(c.hostId());
            }
        });

        Set<Optional<String>> holdersDuringSplit = new HashSet<>();
        for (Candidate self : all) {
            boolean mineA = sideA.contains(self.hostId());
            List<Candidate> view = all.stream().map(c -> sideA.contains(c.hostId()) == mineA ? c
                    : new Candidate(c.hostId(), c.overlay(), c.role(), false, c.eligible())).toList();
            holdersDuringSplit.add(VipElection.holder(view).map(Candidate::hostId));
        }

        Set<Optional<String>> holdersAfterHeal = new HashSet<>();
        List<String> claiming = new ArrayList<>();
        for (Candidate self : all) {
            List<Candidate> view = new ArrayList<>(all);
            Collections.shuffle(view, random);
            holdersAfterHeal.add(VipElection.holder(view).map(Candidate::hostId));
            if (VipElection.holds(self.hostId(), view)) {
                claiming.add(self.hostId());
            }
        }
        Optional<Candidate> expected = all.stream().filter(c -> c.role() == CONTROL_PLANE && c.eligible())
                .min((x, y) -> x.overlay().compareTo(y.overlay()));
        assertThat(holdersAfterHeal).containsExactly(expected.map(Candidate::hostId));
        assertThat(claiming).containsExactlyElementsOf(expected.map(Candidate::hostId).stream().toList());
        assertThat(holdersDuringSplit).contains(expected.map(Candidate::hostId));
    }
}
