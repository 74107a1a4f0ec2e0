package dev.mooring.overlay.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.AddressDerivation.Claim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AddressDerivationTest {

    private static final Cidr CIDR = Cidr.parse("100.64.192.0/23");
    private static final Ipv4Address VIP = Ipv4Address.parse("100.64.192.1");
    private static final AddressDerivation DERIVATION = new AddressDerivation(CIDR, VIP);
    private static final Cidr SMALL = Cidr.parse("100.64.0.0/29");
    private static final AddressDerivation SMALL_DERIVATION = new AddressDerivation(SMALL, Ipv4Address.parse("100.64.0.1"));

    private static Ipv4Address ip(String text) {
        return Ipv4Address.parse(text);
    }

    @Test
    void theCandidateIsTheHashOfTheIdAsAnOffsetAmongUsableHostsWithoutTheVip() {
        // SHA-256("h-a") starts 2d424b306c3b0593 (echo -n h-a | sha256sum). 509 addresses: .0.2 .. .1.254.
        assertThat(DERIVATION.capacity()).isEqualTo(509);
        long offset = Long.remainderUnsigned(0x2d424b306c3b0593L, 509);
        assertThat(DERIVATION.candidate("h-a")).isEqualTo(ip("100.64.192.2").plus(offset));
    }

    @Test
    void candidatesAreStableAndNeverTheVipNetworkOrBroadcast() {
        for (int i = 0; i < 5000; i++) {
            Ipv4Address a = SMALL_DERIVATION.candidate("host-" + i);
            assertThat(SMALL_DERIVATION.isAssignable(a)).as("host-%d -> %s", i, a).isTrue();
            assertThat(SMALL_DERIVATION.candidate("host-" + i)).isEqualTo(a);
        }
    }

    @Test
    void candidatesCoverEveryAssignableAddressOfASmallCidr() {
        Set<Ipv4Address> seen = new HashSet<>();
        IntStream.range(0, 2000).forEach(i -> seen.add(SMALL_DERIVATION.candidate("host-" + i)));
        // /29: .1 .. .6 usable, .1 is the VIP.
        assertThat(seen).containsExactlyInAnyOrder(ip("100.64.0.2"), ip("100.64.0.3"), ip("100.64.0.4"), ip("100.64.0.5"),
                ip("100.64.0.6"));
    }

    @Test
    void aVipElsewhereInTheCidrIsSkippedToo() {
        AddressDerivation d = new AddressDerivation(SMALL, ip("100.64.0.4"));
        Set<Ipv4Address> seen = new HashSet<>();
        IntStream.range(0, 2000).forEach(i -> seen.add(d.candidate("host-" + i)));
        assertThat(seen).hasSize(5).doesNotContain(ip("100.64.0.4")).contains(ip("100.64.0.1"), ip("100.64.0.6"));
    }

    @Test
    void withoutConflictTheCurrentAddressStays() {
        Ipv4Address mine = ip("100.64.192.50");
        assertThat(DERIVATION.resolve("h-b", mine, List.of(new Claim("h-a", ip("100.64.192.51"), true)))).isEqualTo(mine);
    }

    @Test
    void aPersistedClaimAlwaysWinsEvenAgainstALowerId() {
        Ipv4Address mine = ip("100.64.192.50");
        assertThat(DERIVATION.resolve("h-a", mine, List.of(new Claim("h-z", mine, true)))).isEqualTo(ip("100.64.192.51"));
    }

    @Test
    void betweenTentativeClaimsTheLowerIdKeepsTheAddress() {
        Ipv4Address both = ip("100.64.192.50");
        assertThat(DERIVATION.resolve("h-a", both, List.of(new Claim("h-b", both, false)))).isEqualTo(both);
        assertThat(DERIVATION.resolve("h-b", both, List.of(new Claim("h-a", both, false)))).isEqualTo(ip("100.64.192.51"));
    }

    @Test
    void theLoserProbesToTheNextAddressNobodyClaimsSkippingTheVipAndWrapping() {
        Ipv4Address last = CIDR.lastUsable();
        List<Claim> others = List.of(new Claim("h-a", last, false), new Claim("h-c", ip("100.64.192.2"), false));
        // After .1.254 comes .192.1 (the VIP, skipped), .192.2 (claimed), then .192.3.
        assertThat(DERIVATION.resolve("h-b", last, others)).isEqualTo(ip("100.64.192.3"));
    }

    @Test
    void claimsUnderItsOwnIdAreIgnored() {
        Ipv4Address mine = ip("100.64.192.50");
        assertThat(DERIVATION.resolve("h-b", mine, List.of(new Claim("h-b", mine, true)))).isEqualTo(mine);
    }

    @Test
    void aFullCidrIsAClearError() {
        List<Claim> others = new ArrayList<>();
        for (int i = 2; i <= 6; i++) {
            others.add(new Claim("h-" + i, ip("100.64.0." + i), true));
        }
        assertThatThrownBy(() -> SMALL_DERIVATION.resolve("h-9", ip("100.64.0.3"), others))
                .isInstanceOf(AddressSpaceExhaustedException.class)
                .hasMessageStartingWith("no free overlay address for host 'h-9' in 100.64.0.0/29: all 5 addresses a host may get"
                        + " (the VIP 100.64.0.1 excluded) are claimed by other hosts")
                .hasMessageContaining("give this host a free overlay.address");
    }

    @Test
    void aCidrWithOnlyTheVipHasNoCandidate() {
        AddressDerivation d = new AddressDerivation(Cidr.parse("100.64.0.0/31"), ip("100.64.0.0"));
        assertThat(d.capacity()).isEqualTo(1);
        assertThat(d.candidate("h-a")).isEqualTo(ip("100.64.0.1"));
        AddressDerivation none = new AddressDerivation(Cidr.parse("100.64.0.7/32"), ip("100.64.0.7"));
        assertThatThrownBy(() -> none.candidate("h-a")).isInstanceOf(AddressSpaceExhaustedException.class)
                .hasMessageContaining("has no address for a host besides the VIP 100.64.0.7");
    }

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    /**
     * N hosts with random ids in a small CIDR (so candidates collide often) start with their
     * candidates and learn of each other's current claims one message at a time in a random
     * order, re-resolving after each; some start with persisted, distinct addresses. Whatever the
     * order, once every host has heard every other's latest claim, all addresses are distinct,
     * assignable, and no persisted address moved.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void hostsEndWithDistinctAddressesWhateverOrderTheyLearnInFrom(long seed) {
        Random random = new Random(seed);
        Cidr cidr = Cidr.parse("100.64.0.0/" + (27 + random.nextInt(3)));
        AddressDerivation d = new AddressDerivation(cidr, cidr.firstUsable().plus(random.nextInt(3)));
        int n = 1 + random.nextInt((int) Math.min(d.capacity(), 24));
        Map<String, Claim> current = new LinkedHashMap<>();
        Set<Ipv4Address> persisted = new HashSet<>();
        while (current.size() < n) {
            String id = Long.toHexString(random.nextLong());
            Ipv4Address start = d.candidate(id);
            boolean keep = random.nextInt(5) == 0 && !persisted.contains(start);
            if (keep) {
                persisted.add(start);
            }
            current.put(id, new Claim(id, start, keep));
        }
        List<String> ids = new ArrayList<>(current.keySet());
        // knowledge.get(a).get(b): the claim of b that a heard last
        Map<String, Map<String, Claim>> knowledge = new HashMap<>();
        ids.forEach(id -> knowledge.put(id, new HashMap<>()));

        int quiet = 0;
        for (int step = 0; quiet < n * n * 4; step++) {
            assertThat(step).as("no convergence after %d deliveries", step).isLessThan(200_000);
            String to = ids.get(random.nextInt(n));
            String from = ids.get(random.nextInt(n));
            if (to.equals(from)) {
                quiet++;
                continue;
            }
            knowledge.get(to).put(from, current.get(from));
            Claim mine = current.get(to);
            if (!mine.persisted()) {
                Ipv4Address next = d.resolve(to, mine.address(), knowledge.get(to).values());
                if (!next.equals(mine.address())) {
                    current.put(to, new Claim(to, next, false));
                    quiet = 0;
                    continue;
                }
            }
            quiet++;
        }
        // Finish deterministically: every host hears every other's latest claim until nothing moves.
        boolean moved = true;
        for (int round = 0; moved; round++) {
            assertThat(round).as("no convergence after %d full rounds", round).isLessThan(n + 2);
            moved = false;
            for (String to : ids) {
                ids.stream().filter(from -> !from.equals(to)).forEach(from -> knowledge.get(to).put(from, current.get(from)));
                Claim mine = current.get(to);
                if (!mine.persisted()) {
                    Ipv4Address next = d.resolve(to, mine.address(), knowledge.get(to).values());
                    if (!next.equals(mine.address())) {
                        current.put(to, new Claim(to, next, false));
                        moved = true;
                    }
                }
            }
        }
        List<Ipv4Address> addresses = current.values().stream().map(Claim::address).toList();
        assertThat(addresses).doesNotHaveDuplicates().allMatch(d::isAssignable);
        assertThat(current.values().stream().filter(Claim::persisted).map(Claim::address)).containsExactlyInAnyOrderElementsOf(persisted);
    }
}
