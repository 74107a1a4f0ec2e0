package dev.mooring.overlay.membership;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.ClusterKey;
import dev.mooring.overlay.config.OverlayConfig.Role;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads and writes announcements of one cluster, authenticated with its {@link ClusterKey}.
 *
 * <h2>Wire format, version 1</h2>
 * One UDP datagram, big-endian, at most {@value #MAX_DATAGRAM} bytes (476 with every field at its
 * maximum):
 * <pre>
 * offset  size  field
 *      0     4  magic "MRAN" (0x4d 0x52 0x41 0x4e)
 *      4     1  version = 1
 *      5     1  flags: bit 0 tentative, bit 1 leaving, bit 2 vip-eligible, bit 3 vip-holder;
 *               bits 4-7 are zero
 *      6     1  role: 0 control-plane, 1 worker
 *      7     8  incarnation (unsigned, below 2^63)
 *     15     8  sequence (unsigned, below 2^63)
 *     23     8  timestamp, milliseconds since the epoch (sender's clock)
 *     31    16  nonce
 *     47     4  overlay IPv4 address
 *     51     6  bridge MAC
 *     57     4  underlay IPv4 address
 *     61     1  c = length of the cluster id (1..63)
 *     62     c  cluster id, UTF-8
 *      .     1  h = length of the host id (1..64)
 *      .     h  host id, UTF-8
 *      .     1  n = length of the host name (0..253)
 *      .     n  host name, UTF-8
 *    end-32 32  HMAC-SHA256 with the cluster key over every preceding byte
 * </pre>
 * A reader checks, in this order: size (else {@link DropReason#OVERSIZED}); magic, version and
 * that the length fields add up to the datagram exactly (else {@link DropReason#MALFORMED}); the
 * cluster id (else {@link DropReason#FOREIGN_CLUSTER}, so a neighbouring cluster with its own key
 * shows as such rather than as forgery); the HMAC, compared in constant time (else
 * {@link DropReason#BAD_HMAC}); only then the field values (flags, role, UTF-8; else
 * {@link DropReason#MALFORMED}). A new version gets a new version byte; version 1 readers drop it
 * as malformed.
 */
public final class AnnouncementCodec {

    /** The largest datagram a reader accepts; longer ones are {@link DropReason#OVERSIZED}. */
    public static final int MAX_DATAGRAM = 512;
    public static final byte VERSION = 1;
    static final byte[] MAGIC = {'M', 'R', 'A', 'N'};
    static final int TAG_LENGTH = 32;
    static final int FIXED_LENGTH = 61;
    /** Magic .. underlay, three length bytes, one byte each of cluster id and host id, the tag. */
    static final int MIN_DATAGRAM = FIXED_LENGTH + 3 + 2 + TAG_LENGTH;

    private static final int FLAG_TENTATIVE = 1;
    private static final int FLAG_LEAVING = 1 << 1;
    private static final int FLAG_VIP_ELIGIBLE = 1 << 2;
    private static final int FLAG_VIP_HOLDER = 1 << 3;

    private final String clusterId;
    private final byte[] clusterIdBytes;
    // One keyed HMAC per thread: keying one per datagram costs more than the HMAC itself.
    private final ThreadLocal<HmacSha256> hmac;

    /** A codec for {@code clusterId}, signing and checking with {@code key}. */
    public AnnouncementCodec(String clusterId, ClusterKey key) {
        Announcement.requireText("clusterId", clusterId, 1, Announcement.MAX_CLUSTER_ID_BYTES);
        this.clusterId = clusterId;
        this.clusterIdBytes = clusterId.getBytes(StandardCharsets.UTF_8);
        byte[] keyBytes = Objects.requireNonNull(key, "key").bytes();
        this.hmac = ThreadLocal.withInitial(() -> new HmacSha256(keyBytes));
    }

    public String clusterId() {
        return clusterId;
    }

    /** The signed datagram for {@code announcement}, which must belong to this codec's cluster. */
    public byte[] encode(Announcement announcement) {
        if (!announcement.clusterId().equals(clusterId)) {
            throw new IllegalArgumentException("announcement: cluster '" + announcement.clusterId() + "' is not this codec's cluster '" + clusterId + "'");
        }
        byte[] hostId = announcement.hostId().getBytes(StandardCharsets.UTF_8);
        byte[] hostName = announcement.hostName().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(FIXED_LENGTH + 3 + clusterIdBytes.length + hostId.length + hostName.length + TAG_LENGTH);
        out.put(MAGIC).put(VERSION).put((byte) flagBits(announcement.flags())).put((byte) announcement.role().ordinal())
                .putLong(announcement.incarnation()).putLong(announcement.sequence()).putLong(announcement.timestamp())
                .putLong(announcement.nonce().high()).putLong(announcement.nonce().low())
                .putInt(announcement.overlay().bits()).put(announcement.mac().toBytes()).putInt(announcement.underlay().bits())
                .put((byte) clusterIdBytes.length).put(clusterIdBytes)
                .put((byte) hostId.length).put(hostId)
                .put((byte) hostName.length).put(hostName);
        byte[] datagram = out.array();
        System.arraycopy(tag(datagram, out.position()), 0, datagram, out.position(), TAG_LENGTH);
        return datagram;
    }

    /**
     * Reads and authenticates {@code datagram}. Throws nothing but {@link AnnouncementFormatException},
     * whatever the input.
     */
    public Announcement decode(byte[] datagram) throws AnnouncementFormatException {
        if (datagram.length > MAX_DATAGRAM) {
            throw new AnnouncementFormatException(DropReason.OVERSIZED, datagram.length + " bytes, more than " + MAX_DATAGRAM);
        }
        try {
            return decodeBounded(datagram);
        } catch (RuntimeException e) {
            // The checks below are meant to leave nothing to fail; this keeps "never throws" true regardless.
            throw new AnnouncementFormatException(DropReason.MALFORMED, "unreadable: " + e);
        }
    }

    private Announcement decodeBounded(byte[] datagram) throws AnnouncementFormatException {
        if (datagram.length < MIN_DATAGRAM) {
            throw malformed(datagram.length + " bytes, fewer than the " + MIN_DATAGRAM + " of the shortest announcement");
        }
        if (!Arrays.equals(datagram, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw malformed("no announcement magic 'MRAN'");
        }
        if (datagram[4] != VERSION) {
            throw malformed("version " + (datagram[4] & 0xff) + ", this host reads version " + VERSION);
        }
        int clusterStart = FIXED_LENGTH + 1;
        int clusterLength = datagram[FIXED_LENGTH] & 0xff;
        int hostIdAt = clusterStart + clusterLength;
        if (clusterLength < 1 || clusterLength > Announcement.MAX_CLUSTER_ID_BYTES || hostIdAt >= datagram.length) {
            throw malformed("cluster id length " + clusterLength + " is out of range");
        }
        int hostIdLength = datagram[hostIdAt] & 0xff;
        int hostNameAt = hostIdAt + 1 + hostIdLength;
        if (hostIdLength < 1 || hostIdLength > Announcement.MAX_HOST_ID_BYTES || hostNameAt >= datagram.length) {
            throw malformed("host id length " + hostIdLength + " is out of range");
        }
        int hostNameLength = datagram[hostNameAt] & 0xff;
        int tagAt = hostNameAt + 1 + hostNameLength;
        if (hostNameLength > Announcement.MAX_HOST_NAME_BYTES || tagAt + TAG_LENGTH != datagram.length) {
            throw malformed("the length fields add up to " + (tagAt + TAG_LENGTH) + " bytes, the datagram has " + datagram.length);
        }
        if (!Arrays.equals(datagram, clusterStart, hostIdAt, clusterIdBytes, 0, clusterIdBytes.length)) {
            throw new AnnouncementFormatException(DropReason.FOREIGN_CLUSTER,
                    "cluster '" + printable(datagram, clusterStart, clusterLength) + "', this host is in '" + clusterId + "'");
        }
        if (!MessageDigest.isEqual(tag(datagram, tagAt), Arrays.copyOfRange(datagram, tagAt, datagram.length))) {
            throw new AnnouncementFormatException(DropReason.BAD_HMAC, "the HMAC does not match the cluster key (forged, corrupted or another key)");
        }
        ByteBuffer in = ByteBuffer.wrap(datagram);
        int flags = datagram[5] & 0xff;
        if ((flags & 0xf0) != 0) {
            throw malformed("unknown flag bits 0x" + Integer.toHexString(flags & 0xf0));
        }
        int roleCode = datagram[6] & 0xff;
        if (roleCode >= Role.values().length) {
            throw malformed("unknown role " + roleCode);
        }
        long incarnation = in.getLong(7);
        long sequence = in.getLong(15);
        if (incarnation < 0 || sequence < 0) {
            throw malformed("incarnation or sequence at or above 2^63");
        }
        byte[] mac = Arrays.copyOfRange(datagram, 51, 57);
        try {
            return new Announcement(
                    clusterId,
                    utf8(datagram, hostIdAt + 1, hostIdLength, "host id"),
                    utf8(datagram, hostNameAt + 1, hostNameLength, "host name"),
                    new Ipv4Address(in.getInt(47)),
                    MacAddress.of(mac),
                    new Ipv4Address(in.getInt(57)),
                    Role.values()[roleCode],
                    incarnation,
                    sequence,
                    in.getLong(23),
                    new Nonce(in.getLong(31), in.getLong(39)),
                    new Announcement.Flags((flags & FLAG_TENTATIVE) != 0, (flags & FLAG_LEAVING) != 0,
                            (flags & FLAG_VIP_ELIGIBLE) != 0, (flags & FLAG_VIP_HOLDER) != 0));
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private static int flagBits(Announcement.Flags flags) {
        return (flags.tentative() ? FLAG_TENTATIVE : 0) | (flags.leaving() ? FLAG_LEAVING : 0)
                | (flags.vipEligible() ? FLAG_VIP_ELIGIBLE : 0) | (flags.vipHolder() ? FLAG_VIP_HOLDER : 0);
    }

    private byte[] tag(byte[] datagram, int length) {
        return hmac.get().tag(datagram, length);
    }

    private static String utf8(byte[] data, int offset, int length, String field) throws AnnouncementFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, offset, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed("the " + field + " is not UTF-8");
        }
    }

    /** Unauthenticated bytes for a log line: ASCII letters and digits kept, everything else '?'. */
    private static String printable(byte[] data, int offset, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = offset; i < offset + length; i++) {
            char c = (char) (data[i] & 0xff);
            out.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        return out.toString();
    }

    private static AnnouncementFormatException malformed(String why) {
        return new AnnouncementFormatException(DropReason.MALFORMED, why);
    }
}
