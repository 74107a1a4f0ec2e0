package dev.mooring.overlay.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.address.Ipv4Address;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnouncementFilterTest {

    private final AnnouncementCodec codec = new AnnouncementCodec(Announcements.CLUSTER, Announcements.KEY);
    private final DropCounters counters = new DropCounters();
    private final AnnouncementFilter filter = new AnnouncementFilter(codec, "self", InstantSource.fixed(Instant.ofEpochMilli(Announcements.NOW)), counters);

    private DropReason dropReason(byte[] datagram) {
        AnnouncementFilter.Verdict verdict = filter.admit(datagram);
        assertThat(verdict).isInstanceOf(AnnouncementFilter.Verdict.Dropped.class);
        return ((AnnouncementFilter.Verdict.Dropped) verdict).reason();
    }

    private void assertAccepted(Announcement a) {
        assertThat(filter.admit(codec.encode(a))).isEqualTo(new AnnouncementFilter.Verdict.Accepted(a));
    }

    @Test
    void acceptsAGoodAnnouncementAndCountsIt() {
        assertAccepted(Announcements.of("h1", 1, 1));

        assertThat(counters.snapshot().accepted()).isEqualTo(1);
        assertThat(counters.snapshot().droppedTotal()).isZero();
    }

    @Test
    void dropsAnAnnouncementSignedWithAnotherKeyAsBadHmac() {
        byte[] forged = new AnnouncementCodec(Announcements.CLUSTER, Announcements.OTHER_KEY).encode(Announcements.of("h1", 1, 1));

        assertThat(dropReason(forged)).isEqualTo(DropReason.BAD_HMAC);
        assertThat(counters.snapshot().dropped(DropReason.BAD_HMAC)).isEqualTo(1);
        assertThat(counters.snapshot().accepted()).isZero();
    }

    @Test
    void aForgeryDoesNotPoisonTheReplayStateOfTheHostItNames() {
        // A forged announcement with a huge sequence must not lock the real host out.
        Announcement real = Announcements.of("h1", 1, 1);
        Announcement forgedLater = Announcements.of("h1", 9, Long.MAX_VALUE);
        dropReason(new AnnouncementCodec(Announcements.CLUSTER, Announcements.OTHER_KEY).encode(forgedLater));

        assertAccepted(real);
    }

    @Test
    void dropsTheSameDatagramTwiceAsReplayed() {
        byte[] datagram = codec.encode(Announcements.of("h1", 1, 1));
        filter.admit(datagram);

        assertThat(dropReason(datagram)).isEqualTo(DropReason.REPLAYED);
        assertThat(counters.snapshot().dropped(DropReason.REPLAYED)).isEqualTo(1);
    }

    @Test
    void dropsAnOlderSequenceOfTheSameIncarnationAsReplayed() {
        assertAccepted(Announcements.of("h1", 1, 5));

        assertThat(dropReason(codec.encode(Announcements.of("h1", 1, 4)))).isEqualTo(DropReason.REPLAYED);
        assertThat(dropReason(codec.encode(Announcements.withNonce(Announcements.of("h1", 1, 5), new Nonce(42, 42))))).isEqualTo(DropReason.REPLAYED);
    }

    @Test
    void dropsAnOlderIncarnationEvenWithAHigherSequence() {
        assertAccepted(Announcements.of("h1", 2, 0));

        assertThat(dropReason(codec.encode(Announcements.of("h1", 1, 1_000)))).isEqualTo(DropReason.REPLAYED);
    }

    @Test
    void aRestartedHostIsAcceptedFromSequenceZero() {
        assertAccepted(Announcements.of("h1", 1, 1_000));

        assertAccepted(Announcements.of("h1", 2, 0));
    }

    @Test
    void sequencesAreTrackedPerHost() {
        assertAccepted(Announcements.of("h1", 1, 100));

        assertAccepted(Announcements.of("h2", 1, 1));
    }

    @Test
    void aRepeatedNonceIsReplayedEvenFromAnotherHost() {
        Announcement first = Announcements.withNonce(Announcements.of("h1", 1, 1), new Nonce(7, 7));
        assertAccepted(first);

        assertThat(dropReason(codec.encode(Announcements.withNonce(Announcements.of("h2", 1, 1), new Nonce(7, 7))))).isEqualTo(DropReason.REPLAYED);
    }

    @Test
    void theNonceCacheIsBoundedAndForgetsTheOldestFirst() {
        AnnouncementFilter small = new AnnouncementFilter(codec, "self", InstantSource.fixed(Instant.ofEpochMilli(Announcements.NOW)),
                Duration.ofMinutes(10), 2, new DropCounters());
        small.admit(codec.encode(Announcements.withNonce(Announcements.of("h1", 1, 1), new Nonce(0, 1))));
        small.admit(codec.encode(Announcements.withNonce(Announcements.of("h2", 1, 1), new Nonce(0, 2))));
        small.admit(codec.encode(Announcements.withNonce(Announcements.of("h3", 1, 1), new Nonce(0, 3))));

        // h1 and its nonce are forgotten; h3's are kept.
        assertThat(small.admit(codec.encode(Announcements.withNonce(Announcements.of("h1", 1, 1), new Nonce(0, 1)))))
                .isInstanceOf(AnnouncementFilter.Verdict.Accepted.class);
        assertThat(small.admit(codec.encode(Announcements.withNonce(Announcements.of("h3", 1, 1), new Nonce(0, 3)))))
                .isEqualTo(new AnnouncementFilter.Verdict.Dropped(DropReason.REPLAYED, "from 'h3': nonce " + new Nonce(0, 3) + " seen before"));
    }

    @Test
    void dropsAnotherClustersAnnouncementAsForeignEvenWithTheRightKey() {
        AnnouncementCodec other = new AnnouncementCodec("other-site", Announcements.KEY);
        Announcement a = Announcements.of("h1", 1, 1);
        byte[] datagram = other.encode(new Announcement("other-site", a.hostId(), a.hostName(), a.overlay(), a.mac(), a.underlay(), a.role(),
                a.incarnation(), a.sequence(), a.timestamp(), a.nonce(), a.flags()));

        assertThat(filter.admit(datagram))
                .isEqualTo(new AnnouncementFilter.Verdict.Dropped(DropReason.FOREIGN_CLUSTER, "cluster 'other-site', this host is in 'edge-lab'"));
    }

    @Test
    void dropsTimestampsOutsideTheWindowEitherWayAndAcceptsTheEdges() {
        long window = AnnouncementFilter.DEFAULT_WINDOW.toMillis();

        assertThat(dropReason(codec.encode(Announcements.withTimestamp(Announcements.of("h1", 1, 1), Announcements.NOW - window - 1)))).isEqualTo(DropReason.STALE);
        assertThat(dropReason(codec.encode(Announcements.withTimestamp(Announcements.of("h1", 1, 2), Announcements.NOW + window + 1)))).isEqualTo(DropReason.STALE);
        assertAccepted(Announcements.withTimestamp(Announcements.of("h1", 1, 3), Announcements.NOW - window));
        assertAccepted(Announcements.withTimestamp(Announcements.of("h1", 1, 4), Announcements.NOW + window));
        assertThat(counters.snapshot().dropped(DropReason.STALE)).isEqualTo(2);
    }

    @Test
    void theWindowIsConfigurable() {
        AnnouncementFilter strict = new AnnouncementFilter(codec, "self", InstantSource.fixed(Instant.ofEpochMilli(Announcements.NOW)),
                Duration.ofSeconds(5), 16, new DropCounters());

        assertThat(strict.admit(codec.encode(Announcements.withTimestamp(Announcements.of("h1", 1, 1), Announcements.NOW + 5_001))))
                .isInstanceOfSatisfying(AnnouncementFilter.Verdict.Dropped.class, d -> assertThat(d.reason()).isEqualTo(DropReason.STALE));
        assertThat(strict.admit(codec.encode(Announcements.withTimestamp(Announcements.of("h1", 1, 2), Announcements.NOW - 5_000))))
                .isInstanceOf(AnnouncementFilter.Verdict.Accepted.class);
    }

    @Test
    void aStaleDatagramDoesNotConsumeItsSequence() {
        dropReason(codec.encode(Announcements.withTimestamp(Announcements.of("h1", 1, 10), 0)));

        assertAccepted(Announcements.of("h1", 1, 2));
    }

    @Test
    void dropsItsOwnAnnouncementAsSelf() {
        assertThat(dropReason(codec.encode(Announcements.of("self", 1, 1)))).isEqualTo(DropReason.SELF);
        assertThat(counters.snapshot().dropped(DropReason.SELF)).isEqualTo(1);
    }

    @Test
    void countsEveryReasonSeparately() {
        filter.admit(new byte[0]);
        filter.admit(new byte[AnnouncementCodec.MAX_DATAGRAM + 1]);
        filter.admit(new AnnouncementCodec(Announcements.CLUSTER, Announcements.OTHER_KEY).encode(Announcements.of("h1", 1, 1)));
        filter.admit(codec.encode(Announcements.of("self", 1, 1)));
        filter.admit(codec.encode(Announcements.of("h1", 1, 1)));

        DropCounters.Snapshot snapshot = counters.snapshot();

        assertThat(snapshot.accepted()).isEqualTo(1);
        assertThat(snapshot.dropped()).containsExactlyInAnyOrderEntriesOf(Map.of(
                DropReason.MALFORMED, 1L, DropReason.OVERSIZED, 1L, DropReason.BAD_HMAC, 1L, DropReason.SELF, 1L,
                DropReason.REPLAYED, 0L, DropReason.FOREIGN_CLUSTER, 0L, DropReason.STALE, 0L));
    }

    @Test
    void anUnderlayChangeInANewerAnnouncementIsAccepted() {
        assertAccepted(Announcements.of("h1", 1, 1));
        Announcement moved = Announcements.withUnderlay(Announcements.of("h1", 1, 2), Ipv4Address.parse("203.0.113.11"));

        assertAccepted(moved);
    }
}
