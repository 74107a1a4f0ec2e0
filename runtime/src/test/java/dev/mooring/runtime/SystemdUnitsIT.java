package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.runtime.testing.InstalledRuntime;
import dev.mooring.runtime.testing.Processes;
import dev.mooring.runtime.testing.Processes.Result;
import dev.mooring.runtime.testing.UnitFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units shipped in the tar: {@code systemd-analyze verify} accepts them, and they encode the
 * boot order of DESIGN.md ("Boot order on the device").
 */
class SystemdUnitsIT {

    private static final String UNITS = "lib/systemd/system";

    @TempDir
    static Path root;

    private static InstalledRuntime runtime;

    @BeforeAll
    static void install() throws IOException {
        runtime = InstalledRuntime.extract(root);
    }

    private static UnitFile unit(String name) throws IOException {
        return UnitFile.read(runtime.home().resolve(UNITS).resolve(name));
    }

    @Test
    void systemdAnalyzeVerifyAcceptsEveryUnit(@TempDir Path copies) throws IOException {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            System.err.println("skipped systemd-analyze verify: /usr/bin/systemd-analyze is missing; install the systemd package");
        }
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        // verify checks that ExecStart's program exists and is executable: on this machine the
        // installed tree is not at /opt/mooring, so the copies point at the extracted one. It
        // needs neither a running systemd nor a bus.
        List<String> command = new ArrayList<>(List.of(analyze.toString(), "verify", "--man=no"));
        try (Stream<Path> units = Files.list(runtime.home().resolve(UNITS))) {
            for (Path unit : units.sorted().toList()) {
                Path copy = copies.resolve(unit.getFileName());
                Files.writeString(copy, Files.readString(unit).replace("/opt/mooring/", runtime.home() + "/"));
                command.add(copy.toString());
            }
        }

        Result r = Processes.run(command, Map.of(), Duration.ofSeconds(60));

        // verify exits 0 on some problems (an unknown key is only a warning): any output fails too.
        assertThat(r.status()).as("%s", r).isZero();
        assertThat(r.out() + r.err()).as("%s", r).isEmpty();
    }

    @Test
    void firstbootRunsOnceLocalFilesystemsAreUpAndBeforeTheNetwork() throws IOException {
        UnitFile firstboot = unit("mooring-firstboot.service");

        assertThat(firstboot.values("Unit", "After")).contains("local-fs.target");
        assertThat(firstboot.values("Unit", "Before")).contains("network-pre.target", "systemd-networkd.service");
        assertThat(firstboot.value("Service", "Type")).isEqualTo("oneshot");
        assertThat(firstboot.value("Service", "RemainAfterExit")).isEqualTo("yes");
        assertThat(firstboot.value("Service", "ExecStart")).isEqualTo("/opt/mooring/bin/mooring firstboot run --network-wait 5s");
    }

    @Test
    void whatFirstBootNeedsTheNetworkForRunsOnceItIsOnlineAndBeforeTheOverlay() throws IOException {
        UnitFile network = unit("mooring-firstboot-network.service");

        assertThat(network.values("Unit", "After")).contains("mooring-firstboot.service", "network-online.target");
        assertThat(network.values("Unit", "Wants")).contains("network-online.target");
        assertThat(network.values("Unit", "Before")).contains("mooring-overlay.service");
        // Skipped without a JVM start unless first boot left work that waits for the network.
        assertThat(network.value("Unit", "ConditionPathExists")).isEqualTo("/var/lib/mooring/firstboot/network-pending");
        assertThat(network.value("Service", "ExecStart")).isEqualTo("/opt/mooring/bin/mooring firstboot run --media-wait 0s");
    }

    @Test
    void theOverlayStartsAfterFirstbootAndTheNetworkAndReportsReadiness() throws IOException {
        UnitFile overlay = unit("mooring-overlay.service");

        assertThat(overlay.values("Unit", "After"))
                .contains("mooring-firstboot.service", "mooring-firstboot-network.service", "network-online.target");
        assertThat(overlay.values("Unit", "Wants")).contains("network-online.target");
        assertThat(overlay.value("Service", "Type")).isEqualTo("notify");
        assertThat(overlay.value("Service", "Restart")).isEqualTo("always");
        assertThat(overlay.value("Service", "ExecStart"))
                .isEqualTo("/opt/mooring/bin/mooring overlay run --config /etc/mooring/overlay.yaml");
    }

    @Test
    void theOverlayHasOnlyTheCapabilitiesNetlinkAndArpNeed() throws IOException {
        UnitFile overlay = unit("mooring-overlay.service");

        assertThat(overlay.values("Service", "CapabilityBoundingSet")).containsExactlyInAnyOrder("CAP_NET_ADMIN", "CAP_NET_RAW");
        assertThat(overlay.values("Service", "AmbientCapabilities")).containsExactlyInAnyOrder("CAP_NET_ADMIN", "CAP_NET_RAW");
        assertThat(overlay.value("Service", "NoNewPrivileges")).isEqualTo("yes");
        assertThat(overlay.value("Service", "ProtectSystem")).isEqualTo("strict");
        assertThat(overlay.values("Service", "RestrictAddressFamilies")).contains("AF_NETLINK", "AF_PACKET", "AF_INET", "AF_UNIX");
        assertThat(overlay.value("Service", "RuntimeDirectory")).isEqualTo("mooring");
        assertThat(overlay.value("Service", "StateDirectory")).isEqualTo("mooring");
    }

    @Test
    void kubernetesPreparationNeedsAReadyOverlayAndPrecedesKubernetes() throws IOException {
        UnitFile prepare = unit("mooring-k8s-prepare.service");

        assertThat(prepare.values("Unit", "Requires")).contains("mooring-overlay.service");
        assertThat(prepare.values("Unit", "After")).contains("mooring-overlay.service");
        assertThat(prepare.values("Unit", "Before")).contains("k3s.service", "kubelet.service", "etcd.service");
        assertThat(prepare.value("Service", "Type")).isEqualTo("oneshot");
    }

    @Test
    void theCacheIsTrainedOnlyWhenMissingAndAfterTheFirstBootsWork() throws IOException {
        UnitFile cache = unit("mooring-aot-cache.service");

        // "|": either cache missing is reason enough (the script trains both).
        assertThat(cache.values("Unit", "ConditionPathExists"))
                .containsExactly("|!/opt/mooring/lib/mooring.aot", "|!/opt/mooring/lib/mooring-overlay.aot");
        assertThat(cache.values("Unit", "After")).contains("mooring-k8s-prepare.service");
        assertThat(cache.value("Service", "ExecStart")).isEqualTo("/opt/mooring/bin/mooring-aot-cache");
    }
}
