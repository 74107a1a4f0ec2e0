package dev.mooring.overlay.vip;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.nio.ByteBuffer;

/**
 * An Ethernet/IPv4 ARP packet (RFC 826, 28 bytes) as a gratuitous announcement uses it: sender and
 * target protocol address are both the announced address. The request form has a broadcast target
 * hardware address, the reply form the sender's own MAC (RFC 5944 section 4.6), as kube-vip and
 * keepalived send them.
 */
public record GratuitousArpPacket(int operation, MacAddress senderMac, Ipv4Address senderAddress, MacAddress targetMac,
                                  Ipv4Address targetAddress) {

    public static final int SIZE = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    private static final int HARDWARE_ETHERNET = 1;
    private static final int PROTOCOL_IPV4 = 0x0800;

    public GratuitousArpPacket {
        if (operation != REQUEST && operation != REPLY) {
            throw new IllegalArgumentException("operation: expected 1 (request) or 2 (reply), got " + operation);
        }
    }

    /** The request form: "who has ADDRESS? tell ADDRESS", to the broadcast hardware address. */
    public static GratuitousArpPacket request(Ipv4Address address, MacAddress mac) {
        return new GratuitousArpPacket(REQUEST, mac, address, MacAddress.BROADCAST, address);
    }

    /** The reply form: "ADDRESS is at MAC", unsolicited. */
    public static GratuitousArpPacket reply(Ipv4Address address, MacAddress mac) {
        return new GratuitousArpPacket(REPLY, mac, address, mac, address);
    }

    /** Decodes the first 28 bytes of an ARP payload; refuses anything but Ethernet/IPv4 ARP. */
    public static GratuitousArpPacket parse(byte[] bytes) {
        if (bytes.length < SIZE) {
            throw new IllegalArgumentException("bytes: an Ethernet/IPv4 ARP packet has " + SIZE + " bytes, got " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int hardware = Short.toUnsignedInt(in.getShort());
        int protocol = Short.toUnsignedInt(in.getShort());
        int hardwareLength = in.get();
        int protocolLength = in.get();
        if (hardware != HARDWARE_ETHERNET || protocol != PROTOCOL_IPV4 || hardwareLength != 6 || protocolLength != 4) {
            throw new IllegalArgumentException("bytes: not an Ethernet/IPv4 ARP packet (hardware " + hardware + ", protocol 0x"
                    + Integer.toHexString(protocol) + ")");
        }
        int operation = Short.toUnsignedInt(in.getShort());
        return new GratuitousArpPacket(operation, mac(in), ipv4(in), mac(in), ipv4(in));
    }

    private static MacAddress mac(ByteBuffer in) {
        byte[] six = new byte[6];
        in.get(six);
        return MacAddress.of(six);
    }

    private static Ipv4Address ipv4(ByteBuffer in) {
        byte[] four = new byte[4];
        in.get(four);
        return Ipv4Address.of(four);
    }

    /** The 28 bytes on the wire, network byte order. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(SIZE)
                .putShort((short) HARDWARE_ETHERNET).putShort((short) PROTOCOL_IPV4).put((byte) 6).put((byte) 4)
                .putShort((short) operation)
                .put(senderMac.toBytes()).put(senderAddress.toBytes())
                .put(targetMac.toBytes()).put(targetAddress.toBytes())
                .array();
    }
}
