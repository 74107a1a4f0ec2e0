package dev.mooring.overlay.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlayConfig.Role;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AnnouncementCodecTest {

    private final AnnouncementCodec codec = new AnnouncementCodec(Announcements.CLUSTER, Announcements.KEY);

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @Test
    void roundTripsAFixedAnnouncementAtTheDocumentedOffsets() throws Exception {
        Announcement a = new Announcement("edge-lab", "h1", "node-1", Ipv4Address.parse("100.64.192.10"), MacAddress.parse("02:00:64:40:c0:0a"),
                Ipv4Address.parse("198.51.100.11"), Role.WORKER, 7, 9, 0x0102030405060708L, new Nonce(0x1111111111111111L, 0x2222222222222222L),
                new Announcement.Flags(true, false, true, false));
        byte[] datagram = codec.encode(a);

        assertThat(datagram).hasSize(61 + 1 + 8 + 1 + 2 + 1 + 6 + 32);
        String hex = HexFormat.of().formatHex(datagram);
        assertThat(hex).startsWith("4d52414e" + "01" + "05" + "01" + "0000000000000007" + "0000000000000009" + "0102030405060708"
                + "11111111111111112222222222222222" + "6440c00a" + "020064" + "40c00a" + "c633640b"
                + "08" + HexFormat.of().formatHex("edge-lab".getBytes()) + "02" + "6831" + "06" + HexFormat.of().formatHex("node-1".getBytes()));
        assertThat(codec.decode(datagram)).isEqualTo(a);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void roundTripsRandomAnnouncements(long seed) throws Exception {
        Random random = new Random(seed);
        String cluster = Announcements.text(random, 1, Announcement.MAX_CLUSTER_ID_BYTES);
        AnnouncementCodec randomCodec = new AnnouncementCodec(cluster, Announcements.KEY);
        Announcement a = Announcements.random(random, cluster);

        byte[] datagram = randomCodec.encode(a);

        assertThat(datagram.length).isLessThanOrEqualTo(AnnouncementCodec.MAX_DATAGRAM);
        assertThat(randomCodec.decode(datagram)).isEqualTo(a);
    }

    @Test
    void theLargestAnnouncementFitsWithRoomToSpare() {
        String cluster = "c".repeat(Announcement.MAX_CLUSTER_ID_BYTES);
        Announcement a = new Announcement(cluster, "h".repeat(Announcement.MAX_HOST_ID_BYTES), "n".repeat(Announcement.MAX_HOST_NAME_BYTES),
                Ipv4Address.parse("100.64.192.10"), MacAddress.parse("02:00:64:40:c0:0a"), Ipv4Address.parse("198.51.100.11"),
                Role.CONTROL_PLANE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, new Nonce(-1, -1), new Announcement.Flags(true, true, true, true));

        assertThat(new AnnouncementCodec(cluster, Announcements.KEY).encode(a)).hasSize(476);
    }

    @Test
    void refusesToEncodeAnotherClustersAnnouncement() {
        AnnouncementCodec other = new AnnouncementCodec("other", Announcements.KEY);

        assertThatThrownBy(() -> other.encode(Announcements.of("h1", 1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'edge-lab' is not this codec's cluster 'other'");
    }

    @Test
    void announcementsRefuseOutOfRangeFields() {
        assertThatThrownBy(() -> new Announcement("c".repeat(64), "h", "", new Ipv4Address(1), MacAddress.ZERO, new Ipv4Address(1),
                Role.WORKER, 0, 0, 0, new Nonce(0, 0), Announcement.Flags.NONE))
                .hasMessageContaining("clusterId: expected 1..63 bytes");
        assertThatThrownBy(() -> new Announcement("c", "h\n", "", new Ipv4Address(1), MacAddress.ZERO, new Ipv4Address(1),
                Role.WORKER, 0, 0, 0, new Nonce(0, 0), Announcement.Flags.NONE))
                .hasMessageContaining("hostId: control characters");
        assertThatThrownBy(() -> new Announcement("c", "h", "", new Ipv4Address(1), MacAddress.ZERO, new Ipv4Address(1),
                Role.WORKER, -1, 0, 0, new Nonce(0, 0), Announcement.Flags.NONE))
                .hasMessageContaining("must not be negative");
    }

    @Test
    void anotherVersionIsMalformedWithTheVersionNamed() {
        byte[] datagram = codec.encode(Announcements.of("h1", 1, 1));
        datagram[4] = 2;

        AnnouncementFormatException e = catchThrowableOfType(AnnouncementFormatException.class, () -> codec.decode(datagram));

        assertThat(e.reason()).isEqualTo(DropReason.MALFORMED);
        assertThat(e).hasMessage("version 2, this host reads version 1");
    }

    @Test
    void fieldValuesAreCheckedOnlyAfterTheHmacAndThenCountAsMalformed() {
        // A key holder sending a role this version does not know: authentic, but unreadable.
        byte[] datagram = codec.encode(Announcements.of("h1", 1, 1));
        datagram[6] = 9;
        resign(datagram);

        AnnouncementFormatException e = catchThrowableOfType(AnnouncementFormatException.class, () -> codec.decode(datagram));

        assertThat(e.reason()).isEqualTo(DropReason.MALFORMED);
        assertThat(e).hasMessage("unknown role 9");
    }

    @Test
    void invalidUtf8FromAKeyHolderIsMalformed() {
        byte[] datagram = codec.encode(Announcements.of("h1", 1, 1));
        int hostIdAt = 61 + 1 + Announcements.CLUSTER.length() + 1;
        datagram[hostIdAt] = (byte) 0xc3; // a lead byte followed by ASCII
        resign(datagram);

        AnnouncementFormatException e = catchThrowableOfType(AnnouncementFormatException.class, () -> codec.decode(datagram));

        assertThat(e.reason()).isEqualTo(DropReason.MALFORMED);
        assertThat(e).hasMessage("the host id is not UTF-8");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomBytesNeverDecodeAndNeverThrowAnythingElse(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 500; i++) {
            byte[] junk = new byte[random.nextInt(600)];
            random.nextBytes(junk);
            if (random.nextBoolean() && junk.length >= 5) {
                // Half the time, past the magic and version check, so the length walk gets exercised.
                System.arraycopy(new byte[] {'M', 'R', 'A', 'N', 1}, 0, junk, 0, 5);
            }
            AnnouncementFormatException e = catchThrowableOfType(AnnouncementFormatException.class, () -> codec.decode(junk));
            assertThat(e).as("junk of %d bytes: %s", junk.length, HexFormat.of().formatHex(junk)).isNotNull();
            assertThat(e.reason()).isIn(DropReason.MALFORMED, DropReason.OVERSIZED, DropReason.FOREIGN_CLUSTER);
        }
    }

    /** Re-computes the tag, as a key holder would, after a test edited the datagram. */
    private static void resign(byte[] datagram) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(Announcements.KEY.bytes(), "HmacSHA256"));
            mac.update(datagram, 0, datagram.length - 32);
            System.arraycopy(mac.doFinal(), 0, datagram, datagram.length - 32, 32);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
