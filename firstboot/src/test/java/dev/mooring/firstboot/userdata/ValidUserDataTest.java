package dev.mooring.firstboot.userdata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.firstboot.cloudconfig.CloudConfig;
import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.cloudconfig.Command;
import dev.mooring.firstboot.cloudconfig.Group;
import dev.mooring.firstboot.cloudconfig.Timezones;
import dev.mooring.firstboot.cloudconfig.User;
import dev.mooring.firstboot.cloudconfig.WriteFile;
import dev.mooring.firstboot.mooring.ClusterSpec;
import dev.mooring.firstboot.mooring.KubernetesSpec;
import dev.mooring.firstboot.mooring.MooringConfig;
import dev.mooring.firstboot.network.Ethernet;
import dev.mooring.firstboot.network.NetworkConfig;
import dev.mooring.firstboot.userdata.UserDataPart.CloudConfigPart;
import dev.mooring.firstboot.userdata.UserDataPart.NetworkConfigPart;
import dev.mooring.firstboot.userdata.UserDataPart.ShellScript;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.address.MacAddress;
import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.config.UnderlaySelector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Valid user-data parses into the typed model the first-boot step applies. */
class ValidUserDataTest {

    private final UserDataValidator validator = new UserDataValidator(CloudInitKeys.bundled(), Timezones.shapeOnly());

    static byte[] example(String name) throws IOException {
        try (InputStream in = ValidUserDataTest.class.getResourceAsStream("/examples/" + name)) {
            return in.readAllBytes();
        }
    }

    private CloudConfig cloudConfig(String text) {
        Validation result = validator.validate("user-data", text);
        assertThat(result.errors()).isEmpty();
        return result.userData().orElseThrow().ofKind(CloudConfigPart.class).getFirst().config();
    }

    @Test
    void theControlPlaneExampleBecomesTheTypedModel() throws IOException {
        Validation result = validator.validate("control-plane.yaml", example("control-plane.yaml"));

        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).extracting(d -> d.message())
                .containsExactly("package_update is not applied by Mooring", "packages is not applied by Mooring");
        CloudConfig config = result.userData().orElseThrow().ofKind(CloudConfigPart.class).getFirst().config();
        assertThat(config.hostname()).contains("store-0042-cp1");
        assertThat(config.timezone()).contains("Europe/Berlin");
        assertThat(config.includeDefaultUser()).isTrue();
        assertThat(config.users()).extracting(User::name).containsExactly("ops", "backup");
        User ops = config.users().getFirst();
        assertThat(ops.groups()).containsExactly("adm", "sudo");
        assertThat(ops.sudoRules()).containsExactly("ALL=(ALL) NOPASSWD:ALL");
        assertThat(ops.sshAuthorizedKeys()).singleElement().satisfies(k -> assertThat(k.type()).isEqualTo("ssh-ed25519"));
        assertThat(config.users().get(1).groups()).containsExactly("backup");
        assertThat(config.users().get(1).sudoRules()).isEmpty();
        assertThat(config.groups()).containsExactly(new Group("edge-admins", List.of("ops")), new Group("monitoring", List.of()));
        assertThat(config.notApplied()).containsExactly("package_update", "packages");

        List<WriteFile> files = config.writeFiles();
        assertThat(files.get(1).content()).asString(StandardCharsets.UTF_8).isEqualTo("net.ipv4.ip_forward = 1\n");
        assertThat(files.get(1).permissions()).isEqualTo(0644);
        assertThat(files.get(2).content()).asString(StandardCharsets.UTF_8).isEqualTo("#!/bin/sh\necho hello world\n");
        assertThat(files.get(2).permissions()).isEqualTo(0755);
        assertThat(files.get(3).owner()).isEqualTo("ops");
        assertThat(files.get(3).group()).contains("ops");
        assertThat(files.get(3).defer()).isTrue();
        assertThat(files.get(5).append()).isTrue();

        assertThat(config.bootcmd()).containsExactly(new Command.Shell("echo 'first boot of store-0042' > /dev/kmsg"),
                new Command.Argv(List.of("sysctl", "-w", "net.ipv4.ip_forward=1")));
        assertThat(config.ntp().orElseThrow().servers()).containsExactly("ntp1.example.com", "198.51.100.123");

        MooringConfig mooring = config.mooring().orElseThrow();
        assertThat(mooring.cluster()).contains(new ClusterSpec("store-0042", ClusterSpec.Role.CONTROL_PLANE, true));
        assertThat(mooring.kubernetes().orElseThrow().distribution()).isEqualTo(KubernetesSpec.Distribution.K3S);
        assertThat(mooring.kubernetes().orElseThrow().version()).contains("v1.31.4+k3s1");
        assertThat(mooring.registration().orElseThrow().url().getPort()).isEqualTo(8443);
        OverlaySettings overlay = mooring.overlay().orElseThrow();
        assertThat(overlay.cidr()).isEqualTo(Cidr.parse("100.64.192.0/23"));
        assertThat(overlay.address()).contains(Ipv4Address.parse("100.64.192.10"));
        assertThat(overlay.underlay()).isEqualTo(new UnderlaySelector.ByGlob("en*"));
        assertThat(overlay.key()).isPresent();
    }

    @Test
    void overlayDefaultsComeFromOverlaySettings() {
        CloudConfig config = cloudConfig("#cloud-config\nmooring:\n  registration: {url: 'https://hub.example', token: t0k}\n  overlay: {}\n");

        OverlaySettings overlay = config.mooring().orElseThrow().overlay().orElseThrow();
        assertThat(overlay).isEqualTo(OverlaySettings.defaults(OverlaySettings.DEFAULT_CIDR));
        assertThat(overlay.vip()).isEqualTo(Ipv4Address.parse("100.64.192.1"));
    }

    @Test
    void yaml11BooleansAndOctalPermissions() {
        CloudConfig config = cloudConfig("""
                #cloud-config
                preserve_hostname: on
                users:
                  - name: alice
                    lock_passwd: no
                write_files:
                  - path: /a
                    permissions: 0600
                  - path: /b
                    permissions: '0o750'
                """);

        assertThat(config.preserveHostname()).isTrue();
        assertThat(config.users().getFirst().lockPasswd()).isFalse();
        assertThat(config.writeFiles()).extracting(WriteFile::permissions).containsExactly(0600, 0750);
    }

    @Test
    void decimalPermissionsAreAcceptedWithAWarning() {
        Validation result = validator.validate("user-data", "#cloud-config\nwrite_files:\n  - path: /a\n    permissions: 644\n");

        assertThat(result.isValid()).isTrue();
        assertThat(result.warnings()).singleElement().satisfies(d -> {
            assertThat(d.message()).contains("mode 0o1204");
            assertThat(d.hint()).contains("'0644'");
            assertThat(d.line()).isEqualTo(4);
        });
    }

    @Test
    void usersInEveryFormCloudInitAccepts() {
        assertThat(cloudConfig("#cloud-config\nusers: default, alice\n").users()).extracting(User::name).containsExactly("alice");
        CloudConfig noDefault = cloudConfig("#cloud-config\nusers: [alice, [bob, carol]]\n");
        assertThat(noDefault.includeDefaultUser()).isFalse();
        assertThat(noDefault.users()).extracting(User::name).containsExactly("alice", "bob", "carol");
        assertThat(cloudConfig("#cloud-config\nusers: {alice: {shell: /bin/sh}, bob: true}\n").users())
                .extracting(User::name, User::shell).containsExactly(org.assertj.core.groups.Tuple.tuple("alice", Optional.of("/bin/sh")),
                        org.assertj.core.groups.Tuple.tuple("bob", Optional.empty()));
    }

    @Test
    void networkConfigIsParsedForTheUnderlay() throws IOException {
        Validation result = validator.validate("network-config", example("network-config"));

        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).extracting(d -> d.message()).containsExactly("network.bonds is not applied by Mooring");
        NetworkConfig network = result.userData().orElseThrow().ofKind(NetworkConfigPart.class).getFirst().config();
        Ethernet uplink = network.ethernets().getFirst();
        assertThat(uplink.match().orElseThrow().macAddress()).contains(MacAddress.parse("52:54:00:12:34:56"));
        assertThat(uplink.setName()).contains("uplink0");
        assertThat(uplink.addresses()).extracting(Object::toString).containsExactly("198.51.100.7/24");
        assertThat(uplink.gateway4()).contains(Ipv4Address.parse("198.51.100.1"));
        assertThat(uplink.routes().getFirst().to()).isEqualTo(Cidr.parse("203.0.113.0/24"));
        assertThat(uplink.routes().getFirst().metric().getAsLong()).isEqualTo(100);
        assertThat(uplink.nameservers().search()).containsExactly("edge.example.com");
        assertThat(network.ethernets().get(1).dhcp4()).isTrue();
        assertThat(network.ethernets().get(1).match().orElseThrow().name()).contains("en*");
    }

    @Test
    void mimeArchiveKeepsItsPartsInOrder() throws IOException {
        Validation result = validator.validate("worker.mime", example("worker.mime"));

        assertThat(result.diagnostics()).isEmpty();
        List<UserDataPart> parts = result.userData().orElseThrow().parts();
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0)).isInstanceOfSatisfying(CloudConfigPart.class, c ->
                assertThat(c.config().mooring().orElseThrow().cluster().orElseThrow().role()).isEqualTo(ClusterSpec.Role.WORKER));
        assertThat(parts.get(1)).isInstanceOfSatisfying(ShellScript.class, s -> assertThat(s.text()).startsWith("#!/bin/sh\n"));
    }

    @Test
    void gzippedUserDataIsDecompressed() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write("#cloud-config\nhostname: zipped\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(validator.validate("user-data.gz", bytes.toByteArray()).userData().orElseThrow()
                .ofKind(CloudConfigPart.class).getFirst().config().hostname()).contains("zipped");
    }

    @Test
    void anUnknownKeyGetsASuggestion() {
        Validation result = validator.validate("user-data", "#cloud-config\nwrite_file:\n  - path: /a\n");

        assertThat(result.errors()).singleElement().satisfies(d -> assertThat(d.hint()).isEqualTo("did you mean 'write_files'?"));
    }

    @Test
    void mergeKeysWorkAndExplicitKeysWin() {
        CloudConfig config = cloudConfig("""
                #cloud-config
                users:
                  - &base {name: alice, shell: /bin/sh, groups: [adm]}
                  - <<: *base
                    name: bob
                """);

        assertThat(config.users()).extracting(User::name).containsExactly("alice", "bob");
        assertThat(config.users().get(1).shell()).contains("/bin/sh");
        assertThat(config.users().get(1).groups()).containsExactly("adm");
    }
}
