package dev.mooring.overlay.netlink;

import java.nio.ByteBuffer;

/**
 * rtnetlink message types, attribute numbers (from {@code linux/rtnetlink.h}, {@code if_link.h},
 * {@code if_addr.h}, {@code neighbour.h}) and the fixed headers that start each message family.
 */
public final class Rtnetlink {
    private Rtnetlink() {}

    public static final int NETLINK_ROUTE = 0;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;

    public static final int RTMGRP_LINK = 0x1;
    public static final int RTMGRP_NEIGH = 0x4;
    public static final int RTMGRP_IPV4_IFADDR = 0x10;

    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_BRIDGE = 7;

    public static final int IFF_UP = 0x1;

    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_VXLAN_ID = 1;
    public static final int IFLA_VXLAN_LINK = 3;
    public static final int IFLA_VXLAN_LEARNING = 7;
    public static final int IFLA_VXLAN_PORT = 15;

    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_BROADCAST = 4;

    public static final int RT_TABLE_MAIN = 254;
    public static final int RTN_UNICAST = 1;
    public static final int RTA_DST = 1;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_TABLE = 15;

    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int NUD_PERMANENT = 0x80;
    public static final int NTF_SELF = 0x02;

    /** {@code struct ifinfomsg} (16 bytes). */
    public record LinkHeader(int family, int type, int index, int flags, int change) {
        public static final int SIZE = 16;

        public static LinkHeader parse(ByteBuffer payload) {
            require(payload, SIZE, "ifinfomsg");
            int p = payload.position();
            return new LinkHeader(Byte.toUnsignedInt(payload.get(p)), Short.toUnsignedInt(payload.getShort(p + 2)),
                    payload.getInt(p + 4), payload.getInt(p + 8), payload.getInt(p + 12));
        }

        public MessageWriter writeTo(MessageWriter writer) {
            return writer.u8(family).u8(0).u16(type).u32(index).u32(flags).u32(change);
        }
    }

    /** {@code struct ifaddrmsg} (8 bytes). */
    public record AddressHeader(int family, int prefixLength, int flags, int scope, int index) {
        public static final int SIZE = 8;

        public static AddressHeader parse(ByteBuffer payload) {
            require(payload, SIZE, "ifaddrmsg");
            int p = payload.position();
            return new AddressHeader(Byte.toUnsignedInt(payload.get(p)), Byte.toUnsignedInt(payload.get(p + 1)),
                    Byte.toUnsignedInt(payload.get(p + 2)), Byte.toUnsignedInt(payload.get(p + 3)), payload.getInt(p + 4));
        }

        public MessageWriter writeTo(MessageWriter writer) {
            return writer.u8(family).u8(prefixLength).u8(flags).u8(scope).u32(index);
        }
    }

    /** {@code struct ndmsg} (12 bytes). */
    public record NeighbourHeader(int family, int index, int state, int flags, int type) {
        public static final int SIZE = 12;

        public static NeighbourHeader parse(ByteBuffer payload) {
            require(payload, SIZE, "ndmsg");
            int p = payload.position();
            return new NeighbourHeader(Byte.toUnsignedInt(payload.get(p)), payload.getInt(p + 4),
                    Short.toUnsignedInt(payload.getShort(p + 8)), Byte.toUnsignedInt(payload.get(p + 10)),
                    Byte.toUnsignedInt(payload.get(p + 11)));
        }

        public MessageWriter writeTo(MessageWriter writer) {
            return writer.u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(type);
        }
    }

    /** {@code struct rtmsg} (12 bytes). */
    public record RouteHeader(int family, int destinationLength, int sourceLength, int tos, int table, int protocol,
                              int scope, int type, int flags) {
        public static final int SIZE = 12;

        public static RouteHeader parse(ByteBuffer payload) {
            require(payload, SIZE, "rtmsg");
            int p = payload.position();
            return new RouteHeader(Byte.toUnsignedInt(payload.get(p)), Byte.toUnsignedInt(payload.get(p + 1)),
                    Byte.toUnsignedInt(payload.get(p + 2)), Byte.toUnsignedInt(payload.get(p + 3)),
                    Byte.toUnsignedInt(payload.get(p + 4)), Byte.toUnsignedInt(payload.get(p + 5)),
                    Byte.toUnsignedInt(payload.get(p + 6)), Byte.toUnsignedInt(payload.get(p + 7)), payload.getInt(p + 8));
        }

        public MessageWriter writeTo(MessageWriter writer) {
            return writer.u8(family).u8(destinationLength).u8(sourceLength).u8(tos).u8(table).u8(protocol).u8(scope).u8(type).u32(flags);
        }
    }

    private static void require(ByteBuffer payload, int size, String struct) {
        if (payload.remaining() < size) {
            throw new MalformedMessageException(struct + " needs " + size + " bytes; the message has " + payload.remaining());
        }
    }
}
