package dev.mooring.overlay.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One netlink message: the {@code nlmsghdr} fields and a view of the payload (native byte order,
 * positioned at the payload's start). A payload view is only valid until the buffer it came from
 * is reused; parse what you need before the next receive.
 */
public record NetlinkMessage(int type, int flags, int sequence, int portId, ByteBuffer payload) {

    public static final int HEADER_SIZE = 16;

    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    /** On an NLMSG_ERROR: the original request's payload was left out (NETLINK_CAP_ACK). */
    public static final int NLM_F_CAPPED = 0x100;
    /** On an NLMSG_ERROR: extended-ack attributes follow (NETLINK_EXT_ACK). */
    public static final int NLM_F_ACK_TLVS = 0x200;

    private static final int NLMSGERR_ATTR_MSG = 1;

    /** The kernel's answer to a request: errno 0 is an ACK. */
    public record Acknowledgement(int errno, Optional<String> kernelMessage) {}

    /** Rounds up to netlink's 4-byte alignment. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }

    /**
     * Splits a received datagram into messages. Throws {@link MalformedMessageException} for a
     * header length shorter than the header or longer than what is left, or trailing bytes.
     */
    public static List<NetlinkMessage> parseAll(ByteBuffer datagram) {
        ByteBuffer in = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<NetlinkMessage> messages = new ArrayList<>();
        int position = in.position();
        int limit = in.limit();
        while (limit - position >= HEADER_SIZE) {
            int length = in.getInt(position);
            if (length < HEADER_SIZE || length > limit - position) {
                throw new MalformedMessageException("netlink message at offset " + position + " claims " + Integer.toUnsignedString(length)
                        + " bytes; " + (limit - position) + " remain and a header takes " + HEADER_SIZE);
            }
            int type = Short.toUnsignedInt(in.getShort(position + 4));
            int flags = Short.toUnsignedInt(in.getShort(position + 6));
            int sequence = in.getInt(position + 8);
            int portId = in.getInt(position + 12);
            ByteBuffer payload = in.slice(position + HEADER_SIZE, length - HEADER_SIZE).order(ByteOrder.nativeOrder());
            messages.add(new NetlinkMessage(type, flags, sequence, portId, payload));
            position += Math.min(align(length), limit - position);
        }
        if (position != limit) {
            throw new MalformedMessageException((limit - position) + " trailing bytes after the last netlink message, too few for a header");
        }
        return messages;
    }

    public boolean isError() {
        return type == NLMSG_ERROR;
    }

    public boolean isDone() {
        return type == NLMSG_DONE;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    /**
     * Reads an NLMSG_ERROR (or the status of an NLMSG_DONE): errno 0 is an ACK, otherwise the
     * positive errno with the kernel's extended-ack text when present.
     */
    public Acknowledgement acknowledgement() {
        if (payload.remaining() < 4) {
            if (type == NLMSG_DONE) {
                return new Acknowledgement(0, Optional.empty());
            }
            throw new MalformedMessageException("netlink error message has " + payload.remaining() + " payload bytes; the error code takes 4");
        }
        int start = payload.position();
        int errno = -payload.getInt(start);
        if (!hasFlag(NLM_F_ACK_TLVS)) {
            return new Acknowledgement(errno, Optional.empty());
        }
        int tlvOffset;
        if (type == NLMSG_DONE) {
            tlvOffset = 4;
        } else {
            // The original request's header follows the error code, with its payload unless capped.
            if (payload.remaining() < 4 + HEADER_SIZE) {
                throw new MalformedMessageException("netlink error message is too short for the echoed request header");
            }
            int echoed = payload.getInt(start + 4);
            tlvOffset = 4 + (hasFlag(NLM_F_CAPPED) ? HEADER_SIZE : align(echoed));
            if (echoed < HEADER_SIZE || tlvOffset > payload.remaining() || tlvOffset < 0) {
                throw new MalformedMessageException("netlink error message echoes a request of " + Integer.toUnsignedString(echoed)
                        + " bytes, which does not fit its " + payload.remaining() + " bytes");
            }
        }
        Attributes tlvs = Attributes.parse(payload.slice(start + tlvOffset, payload.remaining() - tlvOffset));
        return new Acknowledgement(errno, tlvs.string(NLMSGERR_ATTR_MSG).filter(s -> !s.isEmpty()));
    }

    @Override
    public String toString() {
        return "NetlinkMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + Integer.toUnsignedString(sequence)
                + ", port=" + Integer.toUnsignedString(portId) + ", payload=" + payload.remaining() + " bytes]";
    }
}
