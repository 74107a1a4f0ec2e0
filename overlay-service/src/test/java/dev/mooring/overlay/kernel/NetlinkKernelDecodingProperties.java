package dev.mooring.overlay.kernel;

import static dev.mooring.overlay.netlink.RandomNetlinkMessages.noise;
import static dev.mooring.overlay.netlink.RandomNetlinkMessages.putAttributes;

import dev.mooring.overlay.netlink.MalformedMessageException;
import dev.mooring.overlay.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel adapter's reply and notification decoders, fed with forged messages of every
 * rtnetlink type: they return a value, skip the message, or throw MalformedMessageException.
 */
class NetlinkKernelDecodingProperties {

    /**
     * One trial per seed; a failure is named "seed N", and {@code new Random(N)} replays it. Seeds
     * start at 1 so that Maven's report, which shows the invocation index [N], names the seed too.
     */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 5000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void forgedMessagesFailOnlyAsMalformed(long seed) {
        Random random = new Random(seed);
        int type = random.nextInt(16, 31);
        int flags = switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 0xffff;
            default -> random.nextInt(0x10000);
        };
        assertDecodersFailOnlyAsMalformed(type, flags, anyPayload(random, type));
    }

    @ParameterizedTest(name = "type {0}, flags {1}, {2} bytes of {3}")
    @MethodSource("uniformPayloads")
    void uniformPayloadsFailOnlyAsMalformed(int type, int flags, int length, byte value) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, value);
        assertDecodersFailOnlyAsMalformed(type, flags, payload);
    }

    /** Every type with an empty payload and with the largest one, all zeros or all ones. */
    static Stream<Arguments> uniformPayloads() {
        return IntStream.rangeClosed(16, 30).boxed().flatMap(type -> Stream.of(
                Arguments.of(type, 0, 0, (byte) 0),
                Arguments.of(type, 0xffff, 0, (byte) 0),
                Arguments.of(type, 0, 300, (byte) 0),
                Arguments.of(type, 0xffff, 300, (byte) -1)));
    }

    private static void assertDecodersFailOnlyAsMalformed(int type, int flags, byte[] payload) {
        ByteBuffer datagram = ByteBuffer.allocate(16 + payload.length + 3 & ~3).order(ByteOrder.nativeOrder());
        datagram.putInt(16 + payload.length).putShort((short) type).putShort((short) flags).putInt(1).putInt(0).put(payload);
        datagram.clear();
        NetlinkMessage message = NetlinkMessage.parseAll(datagram).getFirst();
        for (Runnable decoder : new Runnable[] {
                () -> NetlinkKernel.link(message), () -> NetlinkKernel.address(message), () -> NetlinkKernel.route(message),
                () -> NetlinkKernel.fdbEntry(message, Set.of(0, 1, 2, 3)), () -> NetlinkKernel.neighbour(message),
                () -> NetlinkKernel.event(message)}) {
            try {
                decoder.run();
            } catch (MalformedMessageException expected) {
                // the one permitted failure
            }
        }
    }

    /**
     * Up to 300 bytes. Empty often; otherwise either noise, or what the decoders look into: the
     * fixed header of the message type's family (link, address, route, neighbour) and then
     * attributes with random types, values and nesting.
     */
    private static byte[] anyPayload(Random random, int type) {
        if (random.nextInt(8) == 0) {
            return new byte[0];
        }
        ByteBuffer out = ByteBuffer.allocate(300).order(ByteOrder.nativeOrder());
        if (random.nextBoolean()) {
            out.put(noise(random, random.nextInt(1, 301)));
        } else {
            out.put(noise(random, type < 20 ? 16 : type < 24 ? 8 : 12));
            putAttributes(random, out, 2);
        }
        return Arrays.copyOf(out.array(), out.position());
    }
}
