package dev.mooring.overlay.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerTableTest {

    private final FakeClock clock = new FakeClock();
    private final PeerTable table = new PeerTable(FailureDetector.forInterval(Duration.ofMillis(250)), clock, clock);
    private final List<PeerTable.MemberChange> changes = new ArrayList<>();

    PeerTableTest() {
        table.addListener(changes::add);
    }

    private MemberState state(String hostId) {
        return table.member(hostId).orElseThrow().state();
    }

    @Test
    void theDefaultsAreSuspectAfter750MillisAndDeadAfter1000() {
        assertThat(FailureDetector.forInterval(Discovery.DEFAULT_INTERVAL))
                .isEqualTo(new FailureDetector(Duration.ofMillis(750), Duration.ofMillis(1000)));
    }

    @Test
    void aNewMemberIsAliveAndAnnounced() {
        Announcement a = Announcements.of("h1", 1, 1);

        table.accept(a);

        Member expected = new Member("h1", "h1.lab", a.overlay(), a.mac(), a.underlay(), a.role(), MemberState.ALIVE, a.flags(),
                Instant.ofEpochMilli(Announcements.NOW), 1);
        assertThat(table.snapshot()).containsExactly(expected);
        assertThat(changes).containsExactly(new PeerTable.MemberChange(Optional.empty(), expected));
    }

    @Test
    void silenceMakesAMemberSuspectThenDeadAndItStays() {
        table.accept(Announcements.of("h1", 1, 1));

        clock.advance(Duration.ofMillis(749));
        table.tick();
        assertThat(state("h1")).isEqualTo(MemberState.ALIVE);

        clock.advance(Duration.ofMillis(1));
        table.tick();
        assertThat(state("h1")).isEqualTo(MemberState.SUSPECT);

        clock.advance(Duration.ofMillis(249));
        table.tick();
        assertThat(state("h1")).isEqualTo(MemberState.SUSPECT);

        clock.advance(Duration.ofMillis(1));
        table.tick();
        assertThat(state("h1")).isEqualTo(MemberState.DEAD);

        clock.advance(Duration.ofHours(1));
        table.tick();
        assertThat(table.snapshot()).singleElement().satisfies(m -> assertThat(m.state()).isEqualTo(MemberState.DEAD));
        assertThat(changes).extracting(c -> c.current().state())
                .containsExactly(MemberState.ALIVE, MemberState.SUSPECT, MemberState.DEAD);
    }

    @Test
    void aDeadMemberThatSpeaksAgainIsAliveAtItsNewAddress() {
        table.accept(Announcements.of("h1", 1, 1));
        clock.advance(Duration.ofSeconds(5));
        table.tick();

        table.accept(Announcements.withUnderlay(Announcements.of("h1", 2, 0), Ipv4Address.parse("203.0.113.11")));

        Member member = table.member("h1").orElseThrow();
        assertThat(member.state()).isEqualTo(MemberState.ALIVE);
        assertThat(member.underlay()).isEqualTo(Ipv4Address.parse("203.0.113.11"));
        assertThat(member.incarnation()).isEqualTo(2);
        assertThat(member.lastHeard()).isEqualTo(Instant.ofEpochMilli(Announcements.NOW).plusSeconds(5));
    }

    @Test
    void aLeavingAnnouncementMakesTheMemberDeadAtOnceAndSilenceKeepsItDead() {
        table.accept(Announcements.of("h1", 1, 1));
        Announcement leaving = Announcements.withFlags(Announcements.of("h1", 1, 2), Announcement.Flags.NONE.withLeaving(true));

        table.accept(leaving);
        assertThat(state("h1")).isEqualTo(MemberState.DEAD);
        assertThat(changes.getLast().current().flags().leaving()).isTrue();

        table.tick();
        clock.advance(Duration.ofMillis(100));
        table.tick();
        assertThat(state("h1")).isEqualTo(MemberState.DEAD);
    }

    @Test
    void beingHeardAgainWithNothingNewNotifiesNoOne() {
        table.accept(Announcements.of("h1", 1, 1));
        clock.advance(Duration.ofMillis(200));
        table.accept(Announcements.of("h1", 1, 2));

        assertThat(changes).hasSize(1);
        assertThat(table.member("h1").orElseThrow().lastHeard()).isEqualTo(Instant.ofEpochMilli(Announcements.NOW).plusMillis(200));
    }

    @Test
    void aSuspectMemberHeardAgainIsAliveAndThatIsAChange() {
        table.accept(Announcements.of("h1", 1, 1));
        clock.advance(Duration.ofMillis(800));
        table.tick();

        table.accept(Announcements.of("h1", 1, 2));

        assertThat(changes).extracting(c -> c.current().state())
                .containsExactly(MemberState.ALIVE, MemberState.SUSPECT, MemberState.ALIVE);
    }

    @Test
    void anUnderlayChangeIsNotifiedWithTheOldAndNewAddress() {
        table.accept(Announcements.of("h1", 1, 1));

        table.accept(Announcements.withUnderlay(Announcements.of("h1", 1, 2), Ipv4Address.parse("203.0.113.11")));

        assertThat(changes).hasSize(2);
        assertThat(changes.getLast().previous().orElseThrow().underlay()).isEqualTo(Ipv4Address.parse("198.51.100.11"));
        assertThat(changes.getLast().current().underlay()).isEqualTo(Ipv4Address.parse("203.0.113.11"));
    }

    @Test
    void aFlagsChangeIsNotified() {
        table.accept(Announcements.of("h1", 1, 1));

        table.accept(Announcements.withFlags(Announcements.of("h1", 1, 2), new Announcement.Flags(false, false, true, true)));

        assertThat(changes).hasSize(2);
        assertThat(changes.getLast().current().flags().vipHolder()).isTrue();
    }

    @Test
    void anOlderAnnouncementChangesNothing() {
        table.accept(Announcements.of("h1", 1, 5));

        table.accept(Announcements.withUnderlay(Announcements.of("h1", 1, 4), Ipv4Address.parse("203.0.113.99")));

        assertThat(table.member("h1").orElseThrow().underlay()).isEqualTo(Ipv4Address.parse("198.51.100.11"));
        assertThat(changes).hasSize(1);
    }

    @Test
    void theSnapshotIsOrderedByHostIdAndImmutable() {
        table.accept(Announcements.of("h3", 1, 1));
        table.accept(Announcements.of("h1", 1, 1));
        table.accept(Announcements.of("h2", 1, 1));

        List<Member> snapshot = table.snapshot();

        assertThat(snapshot).extracting(Member::hostId).containsExactly("h1", "h2", "h3");
        assertThat(snapshot).isUnmodifiable();
    }

    @Test
    void theFailureDetectorIsConfigurable() {
        PeerTable quick = new PeerTable(new FailureDetector(Duration.ofMillis(100), Duration.ofMillis(300)), clock, clock);
        quick.accept(Announcements.of("h1", 1, 1));

        clock.advance(Duration.ofMillis(100));
        quick.tick();
        assertThat(quick.member("h1").orElseThrow().state()).isEqualTo(MemberState.SUSPECT);
        clock.advance(Duration.ofMillis(200));
        quick.tick();
        assertThat(quick.member("h1").orElseThrow().state()).isEqualTo(MemberState.DEAD);
    }
}
