package dev.mooring.overlay.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The route attributes ({@code struct rtattr}) of one region of a message, parsed once and looked
 * up by type. Values are views into the received buffer. A type that occurs twice reads as its
 * last occurrence, as the kernel's own parser does; the NLA_F_NESTED and NLA_F_NET_BYTEORDER flag
 * bits are ignored for lookup.
 */
public final class Attributes {
    private static final int TYPE_MASK = 0x3fff;

    private final ByteBuffer region;
    private final int[] entries; // (type, value offset, value length) triples
    private final int count;

    private Attributes(ByteBuffer region, int[] entries, int count) {
        this.region = region;
        this.entries = entries;
        this.count = count;
    }

    /** Parses every attribute from {@code region}'s position to its limit. */
    public static Attributes parse(ByteBuffer region) {
        ByteBuffer in = region.duplicate().order(ByteOrder.nativeOrder());
        int position = in.position();
        int limit = in.limit();
        int[] entries = new int[3 * 16];
        int count = 0;
        while (limit - position >= 4) {
            int length = Short.toUnsignedInt(in.getShort(position));
            int type = Short.toUnsignedInt(in.getShort(position + 2)) & TYPE_MASK;
            if (length < 4 || length > limit - position) {
                throw new MalformedMessageException("attribute type " + type + " at offset " + position + " claims " + length
                        + " bytes; " + (limit - position) + " remain and a header takes 4");
            }
            if (3 * count == entries.length) {
                entries = Arrays.copyOf(entries, entries.length * 2);
            }
            entries[3 * count] = type;
            entries[3 * count + 1] = position + 4;
            entries[3 * count + 2] = length - 4;
            count++;
            position += Math.min(NetlinkMessage.align(length), limit - position);
        }
        // Fewer than 4 bytes left is padding the kernel may leave; it holds no attribute.
        return new Attributes(in, entries, count);
    }

    /** Parses the attributes that follow a fixed header of {@code headerSize} bytes in {@code payload}. */
    public static Attributes after(ByteBuffer payload, int headerSize) {
        int skip = NetlinkMessage.align(headerSize);
        if (payload.remaining() < headerSize) {
            throw new MalformedMessageException("payload of " + payload.remaining() + " bytes is shorter than its " + headerSize + "-byte header");
        }
        ByteBuffer rest = payload.duplicate();
        rest.position(Math.min(payload.position() + skip, payload.limit()));
        return parse(rest);
    }

    private int find(int type) {
        for (int i = count - 1; i >= 0; i--) {
            if (entries[3 * i] == type) {
                return i;
            }
        }
        return -1;
    }

    public boolean has(int type) {
        return find(type) >= 0;
    }

    /** The number of attributes parsed. */
    public int size() {
        return count;
    }

    /** The attribute's value as a native-order view, or empty when absent. */
    public Optional<ByteBuffer> value(int type) {
        int i = find(type);
        if (i < 0) {
            return Optional.empty();
        }
        return Optional.of(region.slice(entries[3 * i + 1], entries[3 * i + 2]).order(ByteOrder.nativeOrder()));
    }

    private int checkedOffset(int type, int width) {
        int i = find(type);
        if (i < 0) {
            return -1;
        }
        if (entries[3 * i + 2] < width) {
            throw new MalformedMessageException("attribute type " + type + " has " + entries[3 * i + 2] + " bytes; expected at least " + width);
        }
        return entries[3 * i + 1];
    }

    public OptionalInt u8(int type) {
        int offset = checkedOffset(type, 1);
        return offset < 0 ? OptionalInt.empty() : OptionalInt.of(Byte.toUnsignedInt(region.get(offset)));
    }

    public OptionalInt u16(int type) {
        int offset = checkedOffset(type, 2);
        return offset < 0 ? OptionalInt.empty() : OptionalInt.of(Short.toUnsignedInt(region.getShort(offset)));
    }

    /** A 16-bit value in network byte order (ports). */
    public OptionalInt be16(int type) {
        int offset = checkedOffset(type, 2);
        return offset < 0 ? OptionalInt.empty()
                : OptionalInt.of(((region.get(offset) & 0xff) << 8) | (region.get(offset + 1) & 0xff));
    }

    /** A 32-bit value in native byte order. */
    public OptionalInt u32(int type) {
        int offset = checkedOffset(type, 4);
        return offset < 0 ? OptionalInt.empty() : OptionalInt.of(region.getInt(offset));
    }

    /** The raw bytes. */
    public Optional<byte[]> bytes(int type) {
        return value(type).map(v -> {
            byte[] out = new byte[v.remaining()];
            v.get(out);
            return out;
        });
    }

    /** A NUL-terminated (or unterminated) string. */
    public Optional<String> string(int type) {
        return value(type).map(v -> {
            int end = 0;
            while (end < v.remaining() && v.get(end) != 0) {
                end++;
            }
            byte[] out = new byte[end];
            v.get(0, out);
            return new String(out, StandardCharsets.UTF_8);
        });
    }

    /** The attributes nested inside attribute {@code type}. */
    public Optional<Attributes> nested(int type) {
        return value(type).map(Attributes::parse);
    }
}
