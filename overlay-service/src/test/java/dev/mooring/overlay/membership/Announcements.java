package dev.mooring.overlay.membership;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.ClusterKey;
import dev.mooring.overlay.config.OverlayConfig.Role;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Announcements for tests: a fixed, readable one and random ones from a seed. */
final class Announcements {

    static final String CLUSTER = "edge-lab";
    static final ClusterKey KEY = new ClusterKey(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    static final ClusterKey OTHER_KEY = new ClusterKey(new byte[ClusterKey.LENGTH]);
    static final long NOW = 1_795_000_000_000L;

    private Announcements() {}

    static Announcement of(String hostId, long incarnation, long sequence) {
        return new Announcement(CLUSTER, hostId, hostId + ".lab", Ipv4Address.parse("100.64.192.10"),
                MacAddress.parse("02:00:64:40:c0:0a"), Ipv4Address.parse("198.51.100.11"), Role.CONTROL_PLANE,
                incarnation, sequence, NOW, new Nonce(hostId.hashCode(), incarnation * 1_000_003 + sequence), Announcement.Flags.NONE);
    }

    /** A valid announcement with every field drawn from {@code random}, in {@code clusterId}. */
    static Announcement random(Random random, String clusterId) {
        return new Announcement(clusterId, text(random, 1, Announcement.MAX_HOST_ID_BYTES), text(random, 0, Announcement.MAX_HOST_NAME_BYTES),
                new Ipv4Address(random.nextInt()), new MacAddress(random.nextLong() & 0xffff_ffff_ffffL), new Ipv4Address(random.nextInt()),
                Role.values()[random.nextInt(Role.values().length)], random.nextLong(Long.MAX_VALUE), random.nextLong(Long.MAX_VALUE),
                random.nextLong(1L << 44), Nonce.random(random),
                new Announcement.Flags(random.nextBoolean(), random.nextBoolean(), random.nextBoolean(), random.nextBoolean()));
    }

    /** Printable text of minBytes..maxBytes UTF-8 bytes, sometimes with two- and three-byte characters. */
    static String text(Random random, int minBytes, int maxBytes) {
        int target = minBytes + random.nextInt(maxBytes - minBytes + 1);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-._ éü€";
        StringBuilder out = new StringBuilder();
        while (true) {
            String next = out.toString() + alphabet.charAt(random.nextInt(alphabet.length()));
            int length = next.getBytes(StandardCharsets.UTF_8).length;
            if (length > target) {
                break;
            }
            out.setLength(0);
            out.append(next);
            if (length == target) {
                break;
            }
        }
        while (out.toString().getBytes(StandardCharsets.UTF_8).length < minBytes) {
            out.append('x');
        }
        return out.toString();
    }

    static Announcement withNonce(Announcement a, Nonce nonce) {
        return new Announcement(a.clusterId(), a.hostId(), a.hostName(), a.overlay(), a.mac(), a.underlay(), a.role(),
                a.incarnation(), a.sequence(), a.timestamp(), nonce, a.flags());
    }

    static Announcement withTimestamp(Announcement a, long timestamp) {
        return new Announcement(a.clusterId(), a.hostId(), a.hostName(), a.overlay(), a.mac(), a.underlay(), a.role(),
                a.incarnation(), a.sequence(), timestamp, a.nonce(), a.flags());
    }

    static Announcement withUnderlay(Announcement a, Ipv4Address underlay) {
        return new Announcement(a.clusterId(), a.hostId(), a.hostName(), a.overlay(), a.mac(), underlay, a.role(),
                a.incarnation(), a.sequence(), a.timestamp(), a.nonce(), a.flags());
    }

    static Announcement withFlags(Announcement a, Announcement.Flags flags) {
        return new Announcement(a.clusterId(), a.hostId(), a.hostName(), a.overlay(), a.mac(), a.underlay(), a.role(),
                a.incarnation(), a.sequence(), a.timestamp(), a.nonce(), flags);
    }
}
