package dev.mooring.overlay.netlink;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

/**
 * The pieces of forged netlink messages that the property tests of the codec and of the kernel
 * adapter's decoders share: edge bytes, noise and attribute trees. Everything is drawn from the
 * caller's {@link Random}, so a seed replays a failure.
 */
public final class RandomNetlinkMessages {

    /** Byte values that make lengths and types zero, tiny, negative or huge. */
    static final List<Byte> EDGE_BYTES = List.of((byte) 0, (byte) 1, (byte) 4, (byte) 8, (byte) 16, (byte) -1, (byte) 127, (byte) -128);

    private RandomNetlinkMessages() {}

    /** Attributes until the buffer is nearly full or the die says stop; lengths are right except now and then. */
    public static void putAttributes(Random random, ByteBuffer out, int depth) {
        while (out.remaining() >= 4 && random.nextInt(6) != 0) {
            int start = out.position();
            out.putShort((short) 0).putShort((short) random.nextInt(32));
            if (depth > 0 && random.nextInt(4) == 0) {
                putAttributes(random, out, depth - 1);
            } else {
                out.put(noise(random, Math.min(random.nextInt(21), out.remaining())));
            }
            int length = random.nextInt(16) == 0 ? random.nextInt(0x10000) : out.position() - start;
            out.putShort(start, (short) length);
            out.position(Math.min(out.position() + 3 & ~3, out.limit()));
        }
    }

    /** Uniform bytes, or bytes with edge values mixed in. */
    public static byte[] noise(Random random, int length) {
        byte[] bytes = new byte[length];
        if (random.nextBoolean()) {
            random.nextBytes(bytes);
        } else {
            for (int i = 0; i < length; i++) {
                bytes[i] = anyByte(random);
            }
        }
        return bytes;
    }

    /** An edge byte one time in four, else a uniform one. */
    static byte anyByte(Random random) {
        return random.nextInt(4) == 0 ? EDGE_BYTES.get(random.nextInt(EDGE_BYTES.size())) : (byte) random.nextInt();
    }
}
