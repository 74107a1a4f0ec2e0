package dev.mooring.image.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** GUIDs as GPT stores them, and GUIDs derived from names so that a rebuild gets the same ones. */
public final class Guid {

    public static final UUID EFI_SYSTEM = UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
    public static final UUID BASIC_DATA = UUID.fromString("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");
    /** The Discoverable Partitions Specification's root partition for x86-64. */
    public static final UUID LINUX_ROOT_X86_64 = UUID.fromString("4f68bce3-e8cd-4db1-96e7-fbcaf984b709");

    private Guid() {
    }

    /**
     * A random-looking (version 4 layout) UUID that depends only on {@code parts}: the first 16
     * bytes of their SHA-256, with the version and variant bits set.
     */
    public static UUID derived(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            byte[] h = sha.digest();
            h[6] = (byte) ((h[6] & 0x0f) | 0x40);
            h[8] = (byte) ((h[8] & 0x3f) | 0x80);
            ByteBuffer b = ByteBuffer.wrap(h);
            return new UUID(b.getLong(), b.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** GPT's mixed-endian layout: the first three fields little-endian, the rest as written. */
    public static void put(ByteBuffer into, UUID guid) {
        long msb = guid.getMostSignificantBits();
        ByteBuffer le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        le.putInt((int) (msb >>> 32)).putShort((short) (msb >>> 16)).putShort((short) msb);
        into.put(le.array());
        ByteBuffer be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(guid.getLeastSignificantBits());
        into.put(be.array());
    }

    /** Reads a GUID written by {@link #put}. */
    public static UUID get(ByteBuffer from) {
        byte[] raw = new byte[16];
        from.get(raw);
        ByteBuffer le = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        long a = le.getInt() & 0xffffffffL;
        long b = le.getShort() & 0xffffL;
        long c = le.getShort() & 0xffffL;
        long msb = (a << 32) | (b << 16) | c;
        long lsb = ByteBuffer.wrap(raw, 8, 8).order(ByteOrder.BIG_ENDIAN).getLong();
        return new UUID(msb, lsb);
    }

    /** The 32-bit FAT volume id derived like {@link #derived}, as mkfs.vfat -i takes it (8 hex digits). */
    public static String fatVolumeId(String... parts) {
        return derived(parts).toString().substring(0, 8);
    }
}
