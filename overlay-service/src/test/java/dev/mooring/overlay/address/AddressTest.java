package dev.mooring.overlay.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTest {

    @Property
    void ipv4PrintsAndParsesBack(@ForAll int bits) {
        Ipv4Address a = new Ipv4Address(bits);
        assertThat(Ipv4Address.parse(a.toString())).isEqualTo(a);
        assertThat(Ipv4Address.of(a.toBytes())).isEqualTo(a);
    }

    @Property
    void macPrintsAndParsesBack(@ForAll long raw) {
        MacAddress m = new MacAddress(raw & 0xffff_ffff_ffffL);
        assertThat(MacAddress.parse(m.toString())).isEqualTo(m);
        assertThat(MacAddress.of(m.toBytes())).isEqualTo(m);
    }

    @Property
    void cidrContainsExactlyItsRange(@ForAll int base, @ForAll @IntRange(min = 0, max = 32) int prefix, @ForAll int probe) {
        Cidr cidr = new Cidr(new Ipv4Address(base & Cidr.mask(prefix)), prefix);
        Ipv4Address p = new Ipv4Address(probe);
        boolean inRange = Integer.compareUnsigned(probe, cidr.network().bits()) >= 0
                && Integer.compareUnsigned(probe, cidr.broadcast().bits()) <= 0;
        assertThat(cidr.contains(p)).isEqualTo(inRange);
        assertThat(Cidr.parse(cidr.toString())).isEqualTo(cidr);
    }

    @Property
    void overlapIsSymmetricAndMeansASharedAddress(@ForAll int a, @ForAll @IntRange(min = 8, max = 32) int pa,
                                                  @ForAll int b, @ForAll @IntRange(min = 8, max = 32) int pb) {
        Cidr x = new Cidr(new Ipv4Address(a & Cidr.mask(pa)), pa);
        Cidr y = new Cidr(new Ipv4Address(b & Cidr.mask(pb)), pb);
        assertThat(x.overlaps(y)).isEqualTo(y.overlaps(x));
        assertThat(x.overlaps(y)).isEqualTo(x.contains(y.network()) || y.contains(x.network()));
    }

    @Test
    void usableHostsExcludeNetworkAndBroadcast() {
        Cidr cidr = Cidr.parse("100.64.192.0/23");
        assertThat(cidr.firstUsable()).hasToString("100.64.192.1");
        assertThat(cidr.lastUsable()).hasToString("100.64.193.254");
        assertThat(cidr.isUsableHost(Ipv4Address.parse("100.64.192.0"))).isFalse();
        assertThat(cidr.isUsableHost(Ipv4Address.parse("100.64.193.255"))).isFalse();
        assertThat(cidr.isUsableHost(Ipv4Address.parse("100.64.193.0"))).isTrue();
        assertThat(cidr.size()).isEqualTo(512);
    }

    @Test
    void overlayMacIsLocallyAdministeredAndCarriesTheAddress() {
        MacAddress mac = MacAddress.forOverlayAddress(Ipv4Address.parse("100.64.192.10"));
        assertThat(mac).hasToString("02:00:64:40:c0:0a");
        assertThat(mac.toBytes()[0] & 0x03).as("locally administered, unicast").isEqualTo(0x02);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                | an IPv4 address is required",
            "1.2.3             | write four numbers 0-255",
            "1.2.3.4.5         | write four numbers 0-255",
            "1.2.3.256         | 256 is larger than 255",
            "1.2.3.x           | 'x' is not a number 0-255",
            "01.2.3.4          | leading zero",
            "1..3.4            | '' is not a number 0-255",
            "' 1.2.3.4'        | is not a number 0-255",
    })
    void badAddressesSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Ipv4Address.parse(text)).isInstanceOf(InvalidAddressException.class).hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "100.64.192.0      | has no prefix length",
            "100.64.192.0/     | invalid prefix length ''",
            "100.64.192.0/33   | outside 0..32",
            "100.64.192.0/2x   | invalid prefix length '2x'",
            "100.64.192.1/23   | has host bits set; the network is 100.64.192.0/23",
            "100.64.300.0/23   | 300 is larger than 255",
    })
    void badCidrsSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(InvalidAddressException.class).hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "02:00:64:40:c0    | six hex pairs",
            "02:00:64:40:c0:zz | 'zz' is not a hex pair",
            "0200.6440.c00a    | six hex pairs",
    })
    void badMacsSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> MacAddress.parse(text)).isInstanceOf(InvalidAddressException.class).hasMessageContaining(message);
    }
}
