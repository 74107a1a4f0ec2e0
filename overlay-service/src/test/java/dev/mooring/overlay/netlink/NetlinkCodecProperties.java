package dev.mooring.overlay.netlink;

import dev.mooring.overlay.netlink.Rtnetlink.AddressHeader;
import dev.mooring.overlay.netlink.Rtnetlink.LinkHeader;
import dev.mooring.overlay.netlink.Rtnetlink.NeighbourHeader;
import dev.mooring.overlay.netlink.Rtnetlink.RouteHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever bytes arrive, the codec either decodes them or throws its own
 * {@link MalformedMessageException}: never an index error, never a read past the buffer.
 */
class NetlinkCodecProperties {

    @Property(tries = 3000)
    void randomBytesFailOnlyAsMalformed(@ForAll @Size(max = 600) byte[] bytes) {
        decodeEverything(bytes);
    }

    @Property(tries = 3000)
    void aValidMessageWithCorruptedBytesFailsOnlyAsMalformed(
            @ForAll @IntRange(min = 0, max = 199) int position, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 199) int secondPosition, @ForAll byte secondValue) {
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
        Assume.that(position < bytes.length && secondPosition < bytes.length);
        bytes[position] = value;
        bytes[secondPosition] = secondValue;
        decodeEverything(bytes);
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
