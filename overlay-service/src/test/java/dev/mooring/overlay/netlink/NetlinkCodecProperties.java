package dev.mooring.overlay.netlink;

import static dev.mooring.overlay.netlink.RandomNetlinkMessages.EDGE_BYTES;
import static dev.mooring.overlay.netlink.RandomNetlinkMessages.anyByte;
import static dev.mooring.overlay.netlink.RandomNetlinkMessages.noise;
import static dev.mooring.overlay.netlink.RandomNetlinkMessages.putAttributes;

import dev.mooring.overlay.netlink.Rtnetlink.AddressHeader;
import dev.mooring.overlay.netlink.Rtnetlink.LinkHeader;
import dev.mooring.overlay.netlink.Rtnetlink.NeighbourHeader;
import dev.mooring.overlay.netlink.Rtnetlink.RouteHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever bytes arrive, the codec either decodes them or throws its own
 * {@link MalformedMessageException}: never an index error, never a read past the buffer.
 */
class NetlinkCodecProperties {

    /**
     * One trial per seed; a failure is named "seed N", and {@code new Random(N)} replays it. Seeds
     * start at 1 so that Maven's report, which shows the invocation index [N], names the seed too.
     */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 3000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomBytesFailOnlyAsMalformed(long seed) {
        decodeEverything(anyBytes(new Random(seed)));
    }

    @ParameterizedTest(name = "{0} bytes of {1}")
    @MethodSource("uniformBytes")
    void uniformBytesFailOnlyAsMalformed(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        decodeEverything(bytes);
    }

    static Stream<Arguments> uniformBytes() {
        return IntStream.of(0, 1, 3, 4, 15, 16, 17, 20, 600).boxed()
                .flatMap(length -> EDGE_BYTES.stream().map(value -> Arguments.of(length, value)));
    }

    /**
     * Up to 600 bytes. Empty often; otherwise either noise, or one to three messages whose headers
     * hold their true length, each with a fixed header and attributes with random types, values and nesting.
     */
    private static byte[] anyBytes(Random random) {
        if (random.nextInt(8) == 0) {
            return new byte[0];
        }
        ByteBuffer out = ByteBuffer.allocate(600).order(ByteOrder.nativeOrder());
        if (random.nextBoolean()) {
            out.put(noise(random, random.nextInt(1, 601)));
        } else {
            for (int messages = random.nextInt(1, 4); messages > 0 && out.remaining() >= NetlinkMessage.HEADER_SIZE; messages--) {
                int start = out.position();
                out.putInt(0).putShort((short) random.nextInt(32)).putShort((short) random.nextInt()).putInt(random.nextInt()).putInt(random.nextInt());
                out.put(noise(random, Math.min(new int[] {4, 8, 12, 16, 20}[random.nextInt(5)], out.remaining())));
                putAttributes(random, out, 2);
                out.putInt(start, out.position() - start);
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aValidMessageWithCorruptedBytesFailsOnlyAsMalformed(long seed) {
        Random random = new Random(seed);
        byte[] bytes = validLinkMessage();
        // Two writes, possibly to the same position: every byte of the message is a target.
        for (int write = 0; write < 2; write++) {
            bytes[random.nextInt(bytes.length)] = anyByte(random);
        }
        decodeEverything(bytes);
    }

    @ParameterizedTest(name = "byte {0} set to {1}")
    @MethodSource("everyPositionWithEdgeBytes")
    void aValidMessageWithOneEdgeByteFailsOnlyAsMalformed(int position, byte value) {
        byte[] bytes = validLinkMessage();
        bytes[position] = value;
        decodeEverything(bytes);
    }

    static Stream<Arguments> everyPositionWithEdgeBytes() {
        return IntStream.range(0, validLinkMessage().length).boxed()
                .flatMap(position -> EDGE_BYTES.stream().map(value -> Arguments.of(position, value)));
    }

    /** A VXLAN link as the kernel reports it: header, name, MTU and nested link info. */
    private static byte[] validLinkMessage() {
        MessageWriter writer = new MessageWriter(512);
        writer.begin(Rtnetlink.RTM_NEWLINK, NetlinkMessage.NLM_F_MULTI);
        new LinkHeader(0, 1, 3, 1, 0).writeTo(writer);
        writer.attributeString(Rtnetlink.IFLA_IFNAME, "mooring-vx").attributeU32(Rtnetlink.IFLA_MTU, 1450);
        int info = writer.beginNested(Rtnetlink.IFLA_LINKINFO);
        writer.attributeString(Rtnetlink.IFLA_INFO_KIND, "vxlan");
        int data = writer.beginNested(Rtnetlink.IFLA_INFO_DATA);
        writer.attributeU32(Rtnetlink.IFLA_VXLAN_ID, 42).attributeBe16(Rtnetlink.IFLA_VXLAN_PORT, 4789);
        writer.endNested(data);
        writer.endNested(info);
        ByteBuffer valid = writer.finish();
        byte[] bytes = new byte[valid.remaining()];
        valid.get(bytes);
        return bytes;
    }

    /** Runs every decoder the kernel adapter uses over every message found. */
    static void decodeEverything(byte[] bytes) {
        try {
            for (NetlinkMessage message : NetlinkMessage.parseAll(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()))) {
                decodeOne(message);
            }
        } catch (MalformedMessageException expected) {
            // the one permitted failure
        }
    }

    private static void decodeOne(NetlinkMessage message) {
        tryDecode(message::acknowledgement);
        tryDecode(() -> LinkHeader.parse(message.payload()));
        tryDecode(() -> AddressHeader.parse(message.payload()));
        tryDecode(() -> NeighbourHeader.parse(message.payload()));
        tryDecode(() -> RouteHeader.parse(message.payload()));
        for (int header : new int[] {0, LinkHeader.SIZE, AddressHeader.SIZE, NeighbourHeader.SIZE}) {
            tryDecode(() -> {
                Attributes attributes = Attributes.after(message.payload(), header);
                for (int type = 0; type < 20; type++) {
                    readAll(attributes, type);
                    int nestedType = type;
                    attributes.nested(type).ifPresent(nested -> {
                        for (int inner = 0; inner < 20; inner++) {
                            readAll(nested, inner);
                        }
                        nested.nested(nestedType);
                    });
                }
                return attributes;
            });
        }
    }

    private static void readAll(Attributes attributes, int type) {
        tryDecode(() -> attributes.u8(type));
        tryDecode(() -> attributes.u16(type));
        tryDecode(() -> attributes.be16(type));
        tryDecode(() -> attributes.u32(type));
        tryDecode(() -> attributes.string(type));
        tryDecode(() -> attributes.bytes(type));
    }

    private static void tryDecode(java.util.function.Supplier<?> decoder) {
        try {
            decoder.get();
        } catch (MalformedMessageException expected) {
            // the one permitted failure
        }
    }
}
