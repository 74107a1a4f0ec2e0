package dev.mooring.overlay.netlink;

import static dev.mooring.overlay.netlink.Rtnetlink.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The message codec without a kernel: encode, decode, alignment, and refusal of broken input. */
class NetlinkCodecTest {

    private static ByteBuffer vxlanRequest(MessageWriter writer, int sequence) {
        writer.begin(RTM_NEWLINK, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL);
        new LinkHeader(AF_UNSPEC, 1, 0, IFF_UP, IFF_UP).writeTo(writer);
        writer.attributeString(IFLA_IFNAME, "mooring-vx").attributeU32(IFLA_MTU, 1450);
        int info = writer.beginNested(IFLA_LINKINFO);
        writer.attributeString(IFLA_INFO_KIND, "vxlan");
        int data = writer.beginNested(IFLA_INFO_DATA);
        writer.attributeU32(IFLA_VXLAN_ID, 4242).attributeU32(IFLA_VXLAN_LINK, 7).attributeBe16(IFLA_VXLAN_PORT, 4789)
                .attributeU8(IFLA_VXLAN_LEARNING, 0);
        writer.endNested(data);
        writer.endNested(info);
        return writer.sequence(sequence).finish();
    }

    private static ByteBuffer copy(ByteBuffer... parts) {
        int total = 0;
        for (ByteBuffer part : parts) {
            total += part.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.nativeOrder());
        for (ByteBuffer part : parts) {
            out.put(part.duplicate());
        }
        return out.flip();
    }

    @Test
    void aRequestWithNestedAttributesRoundTrips() {
        ByteBuffer encoded = vxlanRequest(new MessageWriter(1024), 99);

        List<NetlinkMessage> messages = NetlinkMessage.parseAll(encoded);

        assertThat(messages).hasSize(1);
        NetlinkMessage message = messages.getFirst();
        assertThat(message.type()).isEqualTo(RTM_NEWLINK);
        assertThat(message.sequence()).isEqualTo(99);
        assertThat(message.hasFlag(NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL)).isTrue();
        assertThat(message.hasFlag(NetlinkMessage.NLM_F_APPEND)).isFalse();
        assertThat(LinkHeader.parse(message.payload())).isEqualTo(new LinkHeader(AF_UNSPEC, 1, 0, IFF_UP, IFF_UP));
        Attributes attributes = Attributes.after(message.payload(), LinkHeader.SIZE);
        assertThat(attributes.string(IFLA_IFNAME)).contains("mooring-vx");
        assertThat(attributes.u32(IFLA_MTU)).hasValue(1450);
        Attributes info = attributes.nested(IFLA_LINKINFO).orElseThrow();
        assertThat(info.string(IFLA_INFO_KIND)).contains("vxlan");
        Attributes data = info.nested(IFLA_INFO_DATA).orElseThrow();
        assertThat(data.u32(IFLA_VXLAN_ID)).hasValue(4242);
        assertThat(data.u32(IFLA_VXLAN_LINK)).hasValue(7);
        assertThat(data.be16(IFLA_VXLAN_PORT)).hasValue(4789);
        assertThat(data.u8(IFLA_VXLAN_LEARNING)).hasValue(0);
        assertThat(attributes.has(IFLA_MASTER)).isFalse();
    }

    @Test
    void portsTravelInNetworkByteOrderAndEverythingIsFourByteAligned() {
        MessageWriter writer = new MessageWriter(256);
        writer.begin(RTM_NEWLINK, 0);
        new LinkHeader(0, 0, 0, 0, 0).writeTo(writer);
        writer.attributeString(IFLA_IFNAME, "mr-br"); // 4 + 6 bytes, padded to 12
        writer.attributeBe16(IFLA_VXLAN_PORT, 4789);  // 4 + 2, padded to 8
        ByteBuffer encoded = writer.finish();

        assertThat(encoded.remaining()).isEqualTo(16 + 16 + 12 + 8);
        assertThat(encoded.getInt(0)).isEqualTo(encoded.remaining());
        int port = 16 + 16 + 12;
        assertThat(Short.toUnsignedInt(encoded.getShort(port))).isEqualTo(6);
        assertThat(encoded.get(port + 4) & 0xff).isEqualTo(0x12); // 4789 = 0x12b5, high byte first
        assertThat(encoded.get(port + 5) & 0xff).isEqualTo(0xb5);
        assertThat(encoded.get(32 + 9)).as("NUL terminator").isZero();
    }

    @Test
    void aDatagramCarriesSeveralMessagesAndEveryCutInsideOneIsRefused() {
        ByteBuffer first = vxlanRequest(new MessageWriter(1024), 1);
        ByteBuffer second = vxlanRequest(new MessageWriter(1024), 2);
        ByteBuffer both = copy(first, second);

        assertThat(NetlinkMessage.parseAll(both)).extracting(NetlinkMessage::sequence).containsExactly(1, 2);
        for (int cut = 1; cut < both.remaining(); cut++) {
            ByteBuffer prefix = both.duplicate().limit(cut).order(ByteOrder.nativeOrder());
            if (cut == first.remaining()) {
                assertThat(NetlinkMessage.parseAll(prefix)).hasSize(1);
            } else {
                assertThatThrownBy(() -> NetlinkMessage.parseAll(prefix)).as("cut at %d", cut)
                        .isInstanceOf(MalformedMessageException.class);
            }
        }
    }

    @Test
    void aLengthThatRunsPastTheDatagramIsRefusedWithItsOffset() {
        ByteBuffer forged = copy(vxlanRequest(new MessageWriter(1024), 1));
        forged.putInt(0, 100_000);

        assertThatThrownBy(() -> NetlinkMessage.parseAll(forged))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("offset 0 claims 100000 bytes");
        forged.putInt(0, 8);
        assertThatThrownBy(() -> NetlinkMessage.parseAll(forged)).hasMessageContaining("claims 8 bytes");
    }

    @Test
    void brokenAttributesAreRefused() {
        ByteBuffer shortLength = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putShort((short) 2).putShort((short) 1).flip();
        assertThatThrownBy(() -> Attributes.parse(shortLength)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("attribute type 1 at offset 0 claims 2 bytes");

        ByteBuffer overrun = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putShort((short) 12).putShort((short) 3).flip();
        assertThatThrownBy(() -> Attributes.parse(overrun)).isInstanceOf(MalformedMessageException.class);

        ByteBuffer tooNarrow = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putShort((short) 6).putShort((short) 4)
                .putShort((short) 7).flip();
        Attributes attributes = Attributes.parse(tooNarrow);
        assertThat(attributes.u16(4)).hasValue(7);
        assertThatThrownBy(() -> attributes.u32(4)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("attribute type 4 has 2 bytes; expected at least 4");

        assertThatThrownBy(() -> LinkHeader.parse(ByteBuffer.allocate(10))).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("ifinfomsg needs 16 bytes");
    }

    @Test
    void theLastOfTwoEqualAttributesWinsAndFlagBitsAreIgnored() {
        MessageWriter writer = new MessageWriter(128);
        writer.begin(1, 0).attributeU32(5, 1).attributeU32(5 | 0x8000, 2);
        NetlinkMessage message = NetlinkMessage.parseAll(writer.finish()).getFirst();
        assertThat(Attributes.parse(message.payload()).u32(5)).hasValue(2);
    }

    @Test
    void anErrorWithExtendedAckCarriesTheKernelsText() {
        MessageWriter writer = new MessageWriter(256);
        writer.begin(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED | NetlinkMessage.NLM_F_ACK_TLVS).u32(-Errno.EOPNOTSUPP);
        writer.u32(64).u16(RTM_NEWLINK).u16(NetlinkMessage.NLM_F_REQUEST).u32(5).u32(0); // the echoed request header
        writer.attributeString(1, "Unknown device type").attributeU32(2, 40);
        NetlinkMessage error = NetlinkMessage.parseAll(writer.finish()).getFirst();

        assertThat(error.isError()).isTrue();
        assertThat(error.acknowledgement()).isEqualTo(new NetlinkMessage.Acknowledgement(Errno.EOPNOTSUPP, java.util.Optional.of("Unknown device type")));

        writer.begin(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED).u32(0).u32(16).u16(RTM_NEWLINK).u16(1).u32(6).u32(0);
        assertThat(NetlinkMessage.parseAll(writer.finish()).getFirst().acknowledgement().errno()).isZero();

        writer.begin(NetlinkMessage.NLMSG_ERROR, 0).u16(0);
        NetlinkMessage cut = NetlinkMessage.parseAll(writer.finish()).getFirst();
        assertThatThrownBy(cut::acknowledgement).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void anUncappedErrorSkipsTheEchoedRequestBeforeItsAttributes() {
        ByteBuffer request = vxlanRequest(new MessageWriter(1024), 3);
        MessageWriter writer = new MessageWriter(2048);
        writer.begin(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_ACK_TLVS).u32(-Errno.EEXIST);
        while (request.hasRemaining()) {
            writer.u8(request.get());
        }
        writer.attributeString(1, "exists");
        assertThat(NetlinkMessage.parseAll(writer.finish()).getFirst().acknowledgement().kernelMessage()).contains("exists");
    }

    @Test
    void aRequestLargerThanTheWriterIsRefused() {
        MessageWriter writer = new MessageWriter(32);
        writer.begin(RTM_NEWLINK, 0);
        assertThatThrownBy(() -> writer.attribute(IFLA_ADDRESS, new byte[64])).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not fit the writer's 32 bytes");
        assertThatThrownBy(() -> new MessageWriter(64).u32(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("begin(type, flags) first");
    }

    @Test
    void errnoNamesAndTexts() {
        assertThat(Errno.describe(Errno.EPERM)).isEqualTo("EPERM (Operation not permitted)");
        assertThat(Errno.describe(Errno.ENODEV)).isEqualTo("ENODEV (No such device)");
        assertThat(Errno.name(Errno.EADDRNOTAVAIL)).isEqualTo("EADDRNOTAVAIL");
        assertThat(Errno.describe(4000)).isEqualTo("errno 4000");
        assertThat(new ErrnoException("netlink request", Errno.EOPNOTSUPP, "Unknown device type").getMessage())
                .isEqualTo("netlink request: EOPNOTSUPP (Operation not supported) — kernel: Unknown device type");
    }
}
