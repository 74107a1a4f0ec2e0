package dev.mooring.overlay.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class GratuitousArpPacketTest {
    private static final Ipv4Address VIP = Ipv4Address.parse("100.64.192.1");
    private static final MacAddress MAC = MacAddress.parse("02:00:64:40:c0:0a");

    @Test
    void theRequestAsksForTheAddressItselfWithABroadcastTarget() {
        // Byte layout as tcpdump shows an ARP announcement: Ethernet (1), IPv4 (0x0800), 6, 4, op 1.
        assertThat(HexFormat.of().formatHex(GratuitousArpPacket.request(VIP, MAC).toBytes())).isEqualTo(
                "0001" + "0800" + "06" + "04" + "0001" + "02006440c00a" + "6440c001" + "ffffffffffff" + "6440c001");
    }

    @Test
    void theReplyNamesTheSenderAsTarget() {
        assertThat(HexFormat.of().formatHex(GratuitousArpPacket.reply(VIP, MAC).toBytes())).isEqualTo(
                "0001" + "0800" + "06" + "04" + "0002" + "02006440c00a" + "6440c001" + "02006440c00a" + "6440c001");
    }

    @Test
    void parsingInvertsEncoding() {
        GratuitousArpPacket reply = GratuitousArpPacket.reply(VIP, MAC);
        assertThat(GratuitousArpPacket.parse(reply.toBytes())).isEqualTo(reply);
        byte[] padded = new byte[46];
        System.arraycopy(reply.toBytes(), 0, padded, 0, 28);
        assertThat(GratuitousArpPacket.parse(padded)).isEqualTo(reply);
    }

    @Test
    void anythingButEthernetIpv4ArpIsRefused() {
        assertThatThrownBy(() -> GratuitousArpPacket.parse(new byte[27])).hasMessageContaining("28 bytes, got 27");
        byte[] ipv6 = GratuitousArpPacket.request(VIP, MAC).toBytes();
        ipv6[2] = (byte) 0x86;
        ipv6[3] = (byte) 0xdd;
        assertThatThrownBy(() -> GratuitousArpPacket.parse(ipv6)).hasMessageContaining("not an Ethernet/IPv4 ARP packet");
        assertThatThrownBy(() -> new GratuitousArpPacket(3, MAC, VIP, MAC, VIP)).hasMessageContaining("operation");
    }
}
