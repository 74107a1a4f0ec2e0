package dev.mooring.overlay.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every single-byte corruption, every truncation and every extension of a valid datagram is
 * dropped, with the reason its position calls for, and never throws. Seeded, so a failure repeats.
 */
class AnnouncementCorruptionTest {

    static LongStream seeds() {
        return LongStream.range(0, 25);
    }

    private record Case(String cluster, Announcement announcement, byte[] datagram, AnnouncementFilter filter) {
        int clusterStart() {
            return 62;
        }

        int clusterEnd() {
            return 62 + datagram[61];
        }

        /** Offsets of the three length bytes (cluster id, host id, host name). */
        int[] lengthBytes() {
            int hostIdLengthAt = clusterEnd();
            int hostNameLengthAt = hostIdLengthAt + 1 + datagram[hostIdLengthAt];
            return new int[] {61, hostIdLengthAt, hostNameLengthAt};
        }
    }

    private static Case newCase(long seed) {
        Random random = new Random(seed);
        String cluster = Announcements.text(random, 1, Announcement.MAX_CLUSTER_ID_BYTES);
        AnnouncementCodec codec = new AnnouncementCodec(cluster, Announcements.KEY);
        Announcement a = Announcements.random(random, cluster);
        // The receiver's clock agrees with the sender's, so only the corruption can cause a drop.
        InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(a.timestamp()));
        AnnouncementFilter filter = new AnnouncementFilter(codec, "receiver-" + seed, clock, new DropCounters());
        return new Case(cluster, a, codec.encode(a), filter);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void theUncorruptedDatagramIsAccepted(long seed) {
        Case c = newCase(seed);

        assertThat(c.filter().admit(c.datagram())).isEqualTo(new AnnouncementFilter.Verdict.Accepted(c.announcement()));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everySingleByteCorruptionIsDroppedForTheReasonItsPositionCallsFor(long seed) {
        Case c = newCase(seed);
        Random random = new Random(~seed);
        int[] lengthBytes = c.lengthBytes();
        for (int offset = 0; offset < c.datagram().length; offset++) {
            byte[] corrupted = c.datagram().clone();
            corrupted[offset] ^= (byte) (1 + random.nextInt(255));

            AnnouncementFilter.Verdict verdict = c.filter().admit(corrupted);

            assertThat(verdict).as("byte %d of %d", offset, corrupted.length).isInstanceOf(AnnouncementFilter.Verdict.Dropped.class);
            DropReason reason = ((AnnouncementFilter.Verdict.Dropped) verdict).reason();
            int at = offset;
            if (offset < 5) {
                assertThat(reason).as("magic/version byte %d", offset).isEqualTo(DropReason.MALFORMED);
            } else if (Arrays.stream(lengthBytes).anyMatch(l -> l == at)) {
                // A wrong length shifts every later field: it fails the length walk, or, if the
                // lengths happen to add up, the cluster id or the HMAC.
                assertThat(reason).as("length byte %d", offset).isIn(DropReason.MALFORMED, DropReason.FOREIGN_CLUSTER, DropReason.BAD_HMAC);
            } else if (offset >= c.clusterStart() && offset < c.clusterEnd()) {
                assertThat(reason).as("cluster id byte %d", offset).isEqualTo(DropReason.FOREIGN_CLUSTER);
            } else {
                assertThat(reason).as("authenticated byte %d", offset).isEqualTo(DropReason.BAD_HMAC);
            }
        }
        assertThat(c.filter().counters().snapshot().accepted()).isZero();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyTruncationIsMalformed(long seed) {
        Case c = newCase(seed);
        for (int length = 0; length < c.datagram().length; length++) {
            AnnouncementFilter.Verdict verdict = c.filter().admit(Arrays.copyOf(c.datagram(), length));

            assertThat(verdict).as("truncated to %d bytes", length)
                    .isInstanceOfSatisfying(AnnouncementFilter.Verdict.Dropped.class, d -> assertThat(d.reason()).isEqualTo(DropReason.MALFORMED));
        }
        assertThat(c.filter().counters().snapshot().dropped(DropReason.MALFORMED)).isEqualTo(c.datagram().length);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyExtensionIsMalformedUpToTheLimitAndOversizedBeyond(long seed) {
        Case c = newCase(seed);
        Random random = new Random(~seed);
        for (int extra = 1; c.datagram().length + extra <= AnnouncementCodec.MAX_DATAGRAM + 8; extra++) {
            byte[] extended = Arrays.copyOf(c.datagram(), c.datagram().length + extra);
            for (int i = c.datagram().length; i < extended.length; i++) {
                extended[i] = (byte) random.nextInt(256);
            }
            DropReason expected = extended.length > AnnouncementCodec.MAX_DATAGRAM ? DropReason.OVERSIZED : DropReason.MALFORMED;

            AnnouncementFilter.Verdict verdict = c.filter().admit(extended);

            assertThat(verdict).as("extended by %d bytes to %d", extra, extended.length)
                    .isInstanceOfSatisfying(AnnouncementFilter.Verdict.Dropped.class, d -> assertThat(d.reason()).isEqualTo(expected));
        }
        assertThat(c.filter().counters().snapshot().dropped(DropReason.OVERSIZED)).isEqualTo(8);
    }
}
