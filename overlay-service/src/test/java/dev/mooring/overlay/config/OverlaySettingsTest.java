package dev.mooring.overlay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.InvalidAddressException;
import dev.mooring.overlay.address.Ipv4Address;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlaySettingsTest {

    private static List<OverlaySettings.Problem> problems(String cidr, String vip, int vni, int port, Integer mtu, String address) {
        return OverlaySettings.problems(Cidr.parse(cidr), Ipv4Address.parse(vip), vni, port,
                mtu == null ? OptionalInt.empty() : OptionalInt.of(mtu),
                Optional.ofNullable(address).map(Ipv4Address::parse));
    }

    @Test
    void defaultsAreConsistent() {
        OverlaySettings d = OverlaySettings.defaults(OverlaySettings.DEFAULT_CIDR);
        assertThat(d.vip()).hasToString("100.64.192.1");
        assertThat(d.overlayMtu(1500)).isEqualTo(1450);
        assertThat(problems("100.64.192.0/23", "100.64.192.1", 4242, 4789, null, "100.64.192.10")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "100.64.192.0/30 | 100.64.192.1 | 1 | 4789 |      |              | cidr    | too small",
            "10.0.0.0/7      | 10.0.0.1     | 1 | 4789 |      |              | cidr    | larger than a /8",
            "100.64.192.0/23 | 100.64.194.1 | 1 | 4789 |      |              | vip     | outside the overlay CIDR",
            "100.64.192.0/23 | 100.64.192.0 | 1 | 4789 |      |              | vip     | network address",
            "100.64.192.0/23 | 100.64.193.255 | 1 | 4789 |    |              | vip     | broadcast address",
            "100.64.192.0/23 | 100.64.192.1 | 1 | 4789 |      | 100.64.192.1 | address | is the VIP",
            "100.64.192.0/23 | 100.64.192.1 | 1 | 4789 |      | 100.64.200.1 | address | outside the overlay CIDR",
            "100.64.192.0/23 | 100.64.192.1 | 0 | 4789 |      |              | vni     | outside 1..16777215",
            "100.64.192.0/23 | 100.64.192.1 | 16777216 | 4789 | |             | vni     | outside 1..16777215",
            "100.64.192.0/23 | 100.64.192.1 | 1 | 0    |      |              | port    | outside 1..65535",
            "100.64.192.0/23 | 100.64.192.1 | 1 | 8472 |      |              | port    | flannel",
            "100.64.192.0/23 | 100.64.192.1 | 1 | 4789 | 1000 |              | mtu     | outside 1280..8950",
    })
    void eachRuleNamesItsField(String cidr, String vip, int vni, int port, Integer mtu, String address, String field, String message) {
        List<OverlaySettings.Problem> found = problems(cidr, vip, vni, port, mtu, address);
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().field()).isEqualTo(field);
        assertThat(found.getFirst().message()).contains(message);
    }

    @Test
    void theRecordRefusesInconsistentValues() {
        assertThatThrownBy(() -> new OverlaySettings(true, Cidr.parse("100.64.192.0/23"), Ipv4Address.parse("10.0.0.1"),
                1, 4789, OptionalInt.empty(), new UnderlaySelector.Auto(), Optional.empty(), Optional.empty()))
                .hasMessageStartingWith("vip: the VIP 10.0.0.1 is outside");
    }

    @Test
    void underlaySelectorsAreRecognised() {
        assertThat(UnderlaySelector.parse("auto")).isInstanceOf(UnderlaySelector.Auto.class);
        assertThat(UnderlaySelector.parse("eth0")).isEqualTo(new UnderlaySelector.ByName("eth0"));
        assertThat(UnderlaySelector.parse("198.51.100.0/24")).isEqualTo(new UnderlaySelector.BySubnet(Cidr.parse("198.51.100.0/24")));
        UnderlaySelector glob = UnderlaySelector.parse("en*");
        assertThat(glob).isInstanceOf(UnderlaySelector.ByGlob.class);
        assertThat(((UnderlaySelector.ByGlob) glob).matches("enp0s3")).isTrue();
        assertThat(((UnderlaySelector.ByGlob) glob).matches("eth0")).isFalse();
        assertThatThrownBy(() -> UnderlaySelector.parse("averyveryverylongname")).hasMessageContaining("longer than 15");
        assertThatThrownBy(() -> UnderlaySelector.parse("eth 0")).hasMessageContaining("contains ' '");
        assertThatThrownBy(() -> UnderlaySelector.parse("198.51.100.1/24")).hasMessageContaining("host bits");
    }

    @Test
    void clusterKeyIsThirtyTwoBytesAndNeverPrinted() {
        String good = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        ClusterKey key = ClusterKey.parse(good);
        assertThat(key.toBase64()).isEqualTo(good);
        assertThat(key.toString()).doesNotContain(good).contains("redacted");
        assertThatThrownBy(() -> ClusterKey.parse("c2hvcnQ=")).isInstanceOf(InvalidAddressException.class)
                .hasMessageContaining("decodes to 5 bytes, it must be 32");
        assertThatThrownBy(() -> ClusterKey.parse("not base64!")).hasMessageContaining("not base64");
    }
}
