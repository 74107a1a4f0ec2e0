package dev.mooring.overlay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig.Role;
import dev.mooring.overlay.config.OverlayConfig.StaticPeer;
import java.nio.file.Files;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlayConfigLoaderTest {

    private static final Path FILE = Path.of("/etc/mooring/overlay.yaml");
    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static final Optional<String> MACHINE_ID = Optional.of("3d1219c7c4c5404aaa1f6d2a48adfda4");

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
        assertThat(c.host().id()).isEqualTo("6f1c2a");
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
            unknown top-level key   | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\nfoo: 1                    | 3:1  | foo: unknown key 'foo'; the keys allowed at the top are: cluster, discovery, host, hub, metrics, overlay, peers, role, state, status, vip
            unknown overlay key     | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  vnii: 4                | 4:3  | overlay.vnii: unknown key 'vnii'; the keys allowed here are: address, cidr, enabled, key, mtu, port, underlay, vip, vni
            vni not a number        | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  vni: abc               | 4:8  | overlay.vni: 'abc' is not a whole number
            mtu is a fraction       | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  mtu: 1400.5            | 4:8  | overlay.mtu: '1400.5' is not a whole number
            CIDR with host bits     | host: {name: h1}\\noverlay:\\n  cidr: 100.64.192.1/23\\n  address: 100.64.192.10  | 3:9  | overlay.cidr: '100.64.192.1/23' has host bits set; the network is 100.64.192.0/23
            VIP outside the CIDR    | host: {name: h1}\\noverlay:\\n  vip: 10.0.0.1\\n  address: 100.64.192.10          | 3:8  | overlay.vip: the VIP 10.0.0.1 is outside the overlay CIDR 100.64.192.0/23
            address is the VIP      | host: {name: h1}\\noverlay:\\n  address: 100.64.192.1                           | 3:12 | overlay.address: the static address 100.64.192.1 is the VIP
            discovery without key   | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\ndiscovery: {enabled: true} | 3:22 | discovery.enabled: discovery needs the cluster key to authenticate announcements: add overlay.key
            discovery port is VXLAN | host: {name: h1}\\noverlay: {key: %KEY%}\\ndiscovery: {port: 4789}           | 3:19 | discovery.port: port 4789 is the overlay's VXLAN port
            memberlist's port       | host: {name: h1}\\noverlay: {key: %KEY%}\\ndiscovery: {port: 7946}           | 3:19 | discovery.port: port 7946 is memberlist's
            interval without unit   | host: {name: h1}\\noverlay: {key: %KEY%}\\ndiscovery: {interval: 250}        | 3:23 | discovery.interval: '250' is not a duration; write a whole number with ms or s
            interval too short      | host: {name: h1}\\noverlay: {key: %KEY%}\\ndiscovery: {interval: 10ms}       | 3:23 | discovery.interval: 10ms is outside 50ms..10s
            unknown discovery key   | host: {name: h1}\\noverlay: {key: %KEY%}\\ndiscovery: {period: 1s}          | 3:13 | discovery.period: unknown key 'period'; the keys allowed here are: enabled, interval, port
            metrics on all hosts    | host: {name: h1}\\noverlay: {key: %KEY%}\\nmetrics: 0.0.0.0:9647             | 3:10 | metrics: 0.0.0.0 is not a loopback address: the metrics endpoint has no authentication, so it listens on this host only. Write 127.0.0.1:9647
            metrics on a LAN IP     | host: {name: h1}\\noverlay: {key: %KEY%}\\nmetrics: 198.51.100.11:9647       | 3:10 | metrics: 198.51.100.11 is not a loopback address
            metrics without a port  | host: {name: h1}\\noverlay: {key: %KEY%}\\nmetrics: 127.0.0.1               | 3:10 | metrics: '127.0.0.1' is not a listen address; write HOST:PORT on loopback
            metrics by host name    | host: {name: h1}\\noverlay: {key: %KEY%}\\nmetrics: example.org:9647         | 3:10 | metrics: 'example.org' is not an IP address
            health port too large   | host: {name: h1}\\noverlay: {key: %KEY%}\\nvip: {health-port: 70000}         | 3:20 | vip.health-port: port 70000 is outside 1..65535
            unknown vip key         | host: {name: h1}\\noverlay: {key: %KEY%}\\nvip: {address: 100.64.192.1}      | 3:7  | vip.address: unknown key 'address'; the keys allowed here are: health-port
            bad cluster name        | cluster: Store_42\\nhost: {name: h1}\\noverlay: {key: %KEY%}                   | 1:10 | cluster: 'Store_42' is not a cluster name
            host id with a space    | host: {name: h1, id: 'a b'}\\noverlay: {key: %KEY%}                            | 1:22 | host.id: 'a b' cannot be a host id
            state dir relative      | host: {name: h1}\\noverlay: {key: %KEY%}\\nstate: var/lib/mooring           | 3:8  | state: 'var/lib/mooring' is not an absolute path
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
            vni beyond an int       | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  vni: 99999999999     | 4:8  | overlay.vni: '99999999999' is not a whole number between -2147483648 and 2147483647
            fraction as written     | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  mtu: 1e3             | 4:8  | overlay.mtu: '1e3' is not a whole number
            enabled not a boolean   | host: {name: h1}\\noverlay:\\n  address: 100.64.192.10\\n  enabled: maybe       | 4:12 | overlay.enabled: 'maybe' is not true or false
            peers not a list        | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\npeers: h2              | 3:8  | peers: expected a list (- item) here
            name is a mapping       | host: {name: {first: h1}}\\noverlay: {address: 100.64.192.10}                | 1:14 | host.name: expected a single value (text) here
            duplicate in flow       | host: {name: h1, name: h2}\\noverlay: {address: 100.64.192.10}               | 1:18 | the key 'name' appears twice in one mapping; keep one
            a second document       | host: {name: h1}\\noverlay: {address: 100.64.192.10}\\n---\\nhost: {name: h2} | 3:1 | a second YAML document starts here; overlay.yaml holds one
            """)
    void reportsWhereAndWhat(String name, String yaml, String position, String message) {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, yaml.replace("\\n", "\n").replace("%KEY%", KEY), MACHINE_ID))
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
    void reportsEveryShapeProblemAtOnceInTheOrderOfTheFile() {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, """
                host: {name: h1, nmae: h1}
                overlay:
                  address: 100.64.192.10
                  vni: four
                peers: {host: h2}
                """, MACHINE_ID)).isInstanceOfSatisfying(OverlayConfigException.class, e -> assertThat(e.problems())
                .extracting(p -> p.line() + ":" + p.column() + ":" + p.key())
                .containsExactly("1:18:host.nmae", "4:8:overlay.vni", "5:8:peers"));
    }

    @Test
    void aFileHoldingOnlyNullIsEmpty() {
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, "~\n")).hasMessageContaining(":1:1: the file is empty");
        assertThatThrownBy(() -> OverlayConfigLoader.parse(FILE, "# nothing yet\n")).hasMessageContaining(":1:1: the file is empty");
    }

    @Test
    void valuesAreReadAsYamlWritesThem() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, """
                host: {name: h1}
                overlay: {address: 100.64.192.10, vni: '4243', port: 0x12B5, mtu: 1_400, enabled: yes}
                discovery: {enabled: off}
                metrics: off
                peers:
                  - {host: h2, address: 100.64.192.11, underlay: 198.51.100.12}
                  - {host: h3, address: 100.64.192.12, underlay: 198.51.100.13}
                """, MACHINE_ID);
        assertThat(c.overlay().vni()).isEqualTo(4243);
        assertThat(c.overlay().port()).isEqualTo(4789);
        assertThat(c.overlay().mtu()).isEqualTo(OptionalInt.of(1400));
        assertThat(c.overlay().enabled()).isTrue();
        assertThat(c.discovery().enabled()).isFalse();
        assertThat(c.metrics()).isEmpty();
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
                .hasMessage(FILE + ":1:1: the file is empty; it needs at least host.name, and overlay.key or peers (see docs/overlay.md)");
    }

    @Test
    void aMissingFileSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("overlay.yaml");
        assertThatThrownBy(() -> OverlayConfigLoader.load(missing))
                .hasMessageStartingWith(missing + ": cannot read the file (NoSuchFileException")
                .hasMessageEndingWith("check the --config path and its permissions");
    }

    @Test
    void readsTheDiscoveryKeys() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, """
                cluster: store-0042
                host: {name: h1, id: h1-id}
                role: control-plane
                overlay: {key: %s}
                discovery: {port: 4800, interval: 1s}
                state: /var/lib/test/overlay
                vip: {health-port: 2379}
                metrics: 127.0.0.1:9700
                """.formatted(KEY), MACHINE_ID);
        assertThat(c.cluster()).isEqualTo("store-0042");
        assertThat(c.host()).isEqualTo(new OverlayConfig.Host("h1", "h1-id"));
        assertThat(c.overlay().address()).isEmpty();
        assertThat(c.discovery()).isEqualTo(new OverlayConfig.Discovery(true, 4800, Duration.ofSeconds(1)));
        assertThat(c.stateDirectory()).isEqualTo(Path.of("/var/lib/test/overlay"));
        assertThat(c.vip().healthPort()).isEqualTo(OptionalInt.of(2379));
        assertThat(c.metrics()).contains(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9700));
        assertThat(c.peers()).isEmpty();
    }

    @Test
    void aKeyTurnsDiscoveryOnWithItsDefaults() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, "host: {name: h1}\noverlay: {key: " + KEY + "}\n", MACHINE_ID);
        assertThat(c.cluster()).isEqualTo("mooring");
        assertThat(c.host().id()).isEqualTo(MACHINE_ID.orElseThrow());
        assertThat(c.discovery()).isEqualTo(new OverlayConfig.Discovery(true, 4793, Duration.ofMillis(250)));
        assertThat(c.stateDirectory()).isEqualTo(Path.of("/var/lib/mooring/overlay"));
        assertThat(c.vip().healthPort()).isEmpty();
        assertThat(c.metrics()).contains(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9647));
    }

    @Test
    void staticPeersWithoutAKeyAreAnOverlayWithoutDiscovery() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, VALID, MACHINE_ID);
        assertThat(c.discovery().enabled()).isFalse();
        assertThat(c.peers()).hasSize(2);
    }

    @Test
    void discoveryCanBeTurnedOffWithAKey() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, "host: {name: h1}\noverlay: {key: " + KEY
                + ", address: 100.64.192.10}\ndiscovery: {enabled: false}\n", MACHINE_ID);
        assertThat(c.discovery().enabled()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            off            | off
            [::1]:9647     | ::1
            localhost:9647 | 127.0.0.1
            127.0.0.2:0    | 127.0.0.2
            """)
    void metricsListenOnLoopbackOrNowhere(String value, String host) throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, "host: {name: h1}\noverlay: {key: " + KEY + "}\nmetrics: '"
                + value + "'\n", MACHINE_ID);
        if (host.equals("off")) {
            assertThat(c.metrics()).isEmpty();
        } else {
            assertThat(c.metrics()).get().satisfies(a -> {
                assertThat(a.getAddress()).isEqualTo(InetAddress.getByName(host));
                assertThat(a.getAddress().isLoopbackAddress()).isTrue();
            });
        }
    }

    @Test
    void withoutAMachineIdTheHostNameIsTheId() throws Exception {
        OverlayConfig c = OverlayConfigLoader.parse(FILE, "host: {name: h1}\noverlay: {key: " + KEY + "}\n", Optional.empty());
        assertThat(c.host().id()).isEqualTo("h1");
    }

    @Test
    void theMachineIdFileIsReadStrippedAndItsPlaceholderIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("machine-id");
        assertThat(OverlayConfigLoader.machineId(file)).isEmpty();
        Files.writeString(file, "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
        assertThat(OverlayConfigLoader.machineId(file)).contains("3d1219c7c4c5404aaa1f6d2a48adfda4");
        Files.writeString(file, "uninitialized\n");
        assertThat(OverlayConfigLoader.machineId(file)).isEmpty();
    }

    @Test
    void theDefaultsAreThoseOfTheCodeThatUsesThem() {
        assertThat(OverlayConfig.Discovery.DEFAULT_PORT).isEqualTo(dev.mooring.overlay.membership.Discovery.DEFAULT_PORT);
        assertThat(OverlayConfig.Discovery.DEFAULT_INTERVAL).isEqualTo(dev.mooring.overlay.membership.Discovery.DEFAULT_INTERVAL);
        assertThat(OverlayConfig.DEFAULT_STATE_DIRECTORY).isEqualTo(dev.mooring.overlay.identity.IdentityStore.DEFAULT_STATE_DIR);
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("overlay.yaml"), VALID);
        assertThat(OverlayConfigLoader.load(file).source()).isEqualTo(file);
    }
}
