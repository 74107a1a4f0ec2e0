package dev.mooring.overlay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig.Role;
import dev.mooring.overlay.config.OverlayConfig.StaticPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlayConfigLoaderTest {

    private static final Path FILE = Path.of("/etc/mooring/overlay.yaml");

    private static final String VALID = """
            host:
              name: h1
              id: 6f1c2a
            role: control-plane
            overlay:
              cidr: 100.64.192.0/23
              vip: 100.64.192.1
              vni: 4242
              port: 4789
              mtu: 1400
              underlay: eth0
              address: 100.64.192.10
            peers:
              - {host: h2, address: 100.64.192.11, underlay: 198.51.100.12}
              - host: h3
                address: 100.64.192.12
                underlay: 198.51.100.13
            status: /run/test/overlay.json
            """;

    @Test
    void readsEveryField() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, VALID);
        assertThat(c.host().name()).isEqualTo("h1");
        assertThat(c.host().id()).contains("6f1c2a");
        assertThat(c.role()).isEqualTo(Role.CONTROL_PLANE);
        assertThat(c.overlay().cidr()).isEqualTo(Cidr.parse("100.64.192.0/23"));
        assertThat(c.overlay().mtu()).isEqualTo(OptionalInt.of(1400));
        assertThat(c.overlay().underlay()).isEqualTo(new UnderlaySelector.ByName("eth0"));
        assertThat(c.overlay().address()).contains(Ipv4Address.parse("100.64.192.10"));
        assertThat(c.peers()).containsExactly(
                new StaticPeer("h2", Ipv4Address.parse("100.64.192.11"), Ipv4Address.parse("198.51.100.12")),
                new StaticPeer("h3", Ipv4Address.parse("100.64.192.12"), Ipv4Address.parse("198.51.100.13")));
        assertThat(c.statusFile()).isEqualTo(Path.of("/run/test/overlay.json"));
    }

    @Test
    void defaultsEverythingButHostAndAddress() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                overlay: {address: 100.64.192.10}
                """);
        OverlaySettings d = OverlaySettings.defaults(OverlaySettings.DEFAULT_CIDR);
        assertThat(c.overlay().cidr()).isEqualTo(d.cidr());
        assertThat(c.overlay().vip()).isEqualTo(d.vip());
        assertThat(c.overlay().vni()).isEqualTo(d.vni());
        assertThat(c.overlay().port()).isEqualTo(d.port());
        assertThat(c.overlay().mtu()).isEmpty();
        assertThat(c.overlay().underlay()).isEqualTo(new UnderlaySelector.Auto());
        assertThat(c.overlay().enabled()).isTrue();
        assertThat(c.role()).isEqualTo(Role.WORKER);
        assertThat(c.peers()).isEmpty();
        assertThat(c.statusFile()).isEqualTo(OverlayConfig.DEFAULT_STATUS_FILE);
    }

    @Test
    void aVipDefaultsToTheFirstAddressOfAGivenCidr() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                overlay: {cidr: 100.72.0.0/16, address: 100.72.0.10}
                """);
        assertThat(c.overlay().vip()).isEqualTo(Ipv4Address.parse("100.72.0.1"));
    }

    /** Each bad file gives one problem at the line and column of the value, naming the key. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top-level key   | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\nfoo: 1                    | 3:1  | foo: unknown key 'foo'; the keys allowed at the top are: host, overlay, peers, role, status
            unknown overlay key     | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  vnii: 4                | 4:3  | overlay.vnii: unknown key 'vnii'; the keys allowed here are: address, cidr, enabled, key, mtu, port, underlay, vip, vni
            vni not a number        | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  vni: abc               | 4:8  | overlay.vni: 'abc' is not a whole number
            mtu is a fraction       | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  mtu: 1400.5            | 4:8  | overlay.mtu: '1400.5' is not a whole number
            CIDR with host bits     | host: {name: h1}\\noverlay:\\n  cidr: 100.64.192.1/23\\n  address: 100.64.192.10  | 3:9  | overlay.cidr: '100.64.192.1/23' has host bits set; the network is 100.64.192.0/23
            VIP outside the CIDR    | host: {name: h1}\\noverlay:\\n  vip: 10.0.0.1\\n  address: 100.64.192.10          | 3:8  | overlay.vip: the VIP 10.0.0.1 is outside the overlay CIDR 100.64.192.0/23
            address is the VIP      | host: {name: h1}\\noverlay:\\n  address: 100.64.192.1                           | 3:12 | overlay.address: the static address 100.64.192.1 is the VIP
            address missing         | host: {name: h1}\\noverlay:\\n  vni: 7                                          | 3:3  | overlay: overlay.address is missing
            flannel's port          | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  port: 8472             | 4:9  | overlay.port: port 8472 is flannel's VXLAN port
            bad role                | host: {name: h1}\\nrole: master\\noverlay: {address: 100.64.192.10}            | 2:7  | role: 'master' is not a role; write control-plane or worker
            host missing            | overlay: {address: 100.64.192.10}                                               | 1:1  | host is missing
            peer address outside    | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\npeers:\\n  - {host: h2, address: 100.64.200.2, underlay: 198.51.100.12} | 4:25 | peers[0].address: 100.64.200.2 is not a usable host address of the overlay CIDR 100.64.192.0/23
            peer is this host       | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\npeers:\\n  - {host: h1, address: 100.64.192.11, underlay: 198.51.100.12} | 4:12 | peers[0].host: 'h1' is this host's own name
            peer underlay bad       | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\npeers:\\n  - {host: h2, address: 100.64.192.11, underlay: 198.51.100.300} | 4:50 | peers[0].underlay: '198.51.100.300' is not an IPv4 address: 300 is larger than 255
            peer missing a field    | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\npeers:\\n  - {host: h2, address: 100.64.192.11} | 4:5 | peers[0]: a peer needs host, address
            bad underlay name       | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  underlay: eth0:1       | 4:13 | overlay.underlay: 'eth0:1' is not an interface name
            duplicate key           | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  address: 100.64.192.11 | 4:3  | the key 'address' appears twice in one mapping; keep one
            YAML syntax error       | host: {name: h1\\noverlay: {address: 100.64.192.10}                             | 2:8  | not valid YAML
            overlay is a list       | host: {name: h1}\\noverlay:\\n  - 100.64.192.10                                 | 3:3  | overlay: expected a mapping (key: value) here
            """)
    void reportsWhereAndWhat(String name, String yaml, String position, String message) {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, yaml.replace("\\n", "\n")))
                .isInstanceOfSatisfying(OverlayConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.getMessage()).startsWith(FILE + ":" + position + ": " + message);
                });
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                role: boss
                overlay:
                  vip: 10.0.0.1
                  address: 100.64.192.10
                  vni: 0
                peers:
                  - {host: h2, address: 100.64.192.10, underlay: 198.51.100.12}
                """)).isInstanceOfSatisfying(OverlayConfigException.class, e -> assertThat(e.problems())
                .extracting(p -> p.line() + ":" + p.key())
                .containsExactly("2:role", "4:overlay.vip", "6:overlay.vni"));
    }

    @Test
    void peersWithTheSameAddressAreRefused() {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                overlay: {address: 100.64.192.10}
                peers:
                  - {host: h2, address: 100.64.192.11, underlay: 198.51.100.12}
                  - {host: h3, address: 100.64.192.11, underlay: 198.51.100.12}
                """)).hasMessageContaining("overlay.yaml:5:25: peers[1].address: 100.64.192.11 is used by another peer")
                .hasMessageContaining("overlay.yaml:5:50: peers[1].underlay: 198.51.100.12 is the underlay address of another peer");
    }

    @Test
    void anEmptyFileSaysWhatItNeeds() {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, ""))
                .hasMessage(FILE + ":1:1: the file is empty; it needs at least host, overlay.address and peers (see docs/overlay.md)");
    }

    @Test
    void aMissingFileSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("overlay.yaml");
        assertThatThrownBy(() -> OverlayConfigLoader.load(missing))
                .hasMessageStartingWith(missing + ": cannot read the file (NoSuchFileException")
                .hasMessageEndingWith("check the --config path and its permissions");
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("overlay.yaml"), VALID);
        assertThat(OverlayConfigLoader.load(file).source()).isEqualTo(file);
    }
}
