package dev.mooring.overlay.kernel;

import dev.mooring.overlay.netlink.MalformedMessageException;
import dev.mooring.overlay.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The kernel adapter's reply and notification decoders, fed with forged messages of every
 * rtnetlink type: they return a value, skip the message, or throw MalformedMessageException.
 */
class NetlinkKernelDecodingProperties {

    @Property(tries = 5000)
    void forgedMessagesFailOnlyAsMalformed(@ForAll @IntRange(min = 16, max = 30) int type, @ForAll @IntRange(min = 0, max = 0xffff) int flags,
                                           @ForAll @Size(max = 300) byte[] payload) {
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
}
