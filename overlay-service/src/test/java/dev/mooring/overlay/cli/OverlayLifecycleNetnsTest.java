package dev.mooring.overlay.cli;

import static dev.mooring.overlay.cli.KernelOracle.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping, {@code down}, and input the service must refuse without changing anything. */
@RequiresNetns
class OverlayLifecycleNetnsTest {

    /** Drops every capability of a root process (so netlink changes get EPERM) while it can still read its files. */
    private static final List<String> NO_CAPABILITIES = List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all");

    @TempDir
    Path dir;

    @Test
    void sigtermLeavesTheOverlayAndDownRemovesExactlyIt() throws Exception {
        try (OverlayLab overlay = new OverlayLab(2, dir)) {
            NetnsLab.Host h1 = overlay.lab.host(1);
            List<String> bare = overlay.oracle(h1);
            NetnsLab.Background service = overlay.start(h1);
            List<String> up = overlay.oracle(h1);

            assertThat(service.stop(Duration.ofSeconds(10))).isEqualTo(143);
            assertThat(overlay.oracle(h1)).isEqualTo(up);
            assertThat(Files.readString(overlay.statusFile(h1))).contains("\"state\" : \"stopped\"");

            Path config = dir.resolve("h1.yaml");
            NetnsLab.Result down = overlay.overlay(h1, List.of(), "down", "--config", config.toString());
            assertThat(down.exitCode()).as(down.stderr()).isZero();
            assertThat(down.stdout()).isEqualTo("removed mooring-vx, mooring0 and " + overlay.statusFile(h1) + "\n");
            List<String> after = overlay.oracle(h1);
            assertThat(after).noneMatch(l -> l.contains("mooring"));
            assertThat(after).isEqualTo(bare);
            assertThat(overlay.statusFile(h1)).doesNotExist();

            NetnsLab.Result again = overlay.overlay(h1, List.of(), "down", "--config", config.toString());
            assertThat(again.exitCode()).isZero();
            assertThat(again.stdout()).isEqualTo("nothing to remove\n");
        }
    }

    @Test
    void badInputIsRefusedClearlyAndChangesNothing() throws Exception {
        try (OverlayLab overlay = new OverlayLab(1, dir)) {
            NetnsLab.Host h1 = overlay.lab.host(1);
            List<String> before = overlay.oracle(h1);

            Path missingUnderlay = overlay.config(h1, "underlay: eth7");
            NetnsLab.Result noDevice = overlay.overlay(h1, List.of(), "run", "--config", missingUnderlay.toString());
            assertThat(noDevice.exitCode()).isEqualTo(OverlayCommand.INVALID);
            assertThat(noDevice.stderr()).startsWith("mooring-overlay: the underlay interface 'eth7' does not exist; "
                    + "the interfaces here are: eth0 (198.51.100.11/24)").doesNotContain("\tat ");
            assertThat(overlay.oracle(h1)).isEqualTo(before);

            Path badVip = overlay.config(h1, "vip: 100.64.194.1");
            NetnsLab.Result vip = overlay.overlay(h1, List.of(), "run", "--config", badVip.toString());
            assertThat(vip.exitCode()).isEqualTo(OverlayCommand.INVALID);
            assertThat(vip.stderr()).startsWith(badVip + ":5:8: overlay.vip: the VIP 100.64.194.1 is outside the overlay CIDR 100.64.192.0/23");
            assertThat(overlay.oracle(h1)).isEqualTo(before);

            Path overlapping = overlay.config(h1, "cidr: 198.51.100.0/24\n  vip: 198.51.100.1");
            Files.writeString(overlapping, Files.readString(overlapping).replace("100.64.192.11", "198.51.100.200"));
            NetnsLab.Result overlap = overlay.overlay(h1, List.of(), "run", "--config", overlapping.toString());
            assertThat(overlap.exitCode()).isEqualTo(OverlayCommand.INVALID);
            assertThat(overlap.stderr()).startsWith("mooring-overlay: the overlay CIDR 198.51.100.0/24 overlaps 198.51.100.11/24 on eth0");
            assertThat(overlay.oracle(h1)).isEqualTo(before);

            Path good = overlay.config(h1, "");
            NetnsLab.Result eperm = overlay.overlay(h1, NO_CAPABILITIES, "run", "--config", good.toString());
            assertThat(eperm.exitCode()).as(eperm.stderr()).isEqualTo(OverlayCommand.FAILED);
            assertThat(eperm.stderr()).startsWith("mooring-overlay: ")
                    .contains("mooring0", "EPERM", "CAP_NET_ADMIN", "; nothing was changed")
                    .doesNotContain("Exception", "\tat ");
            assertThat(overlay.oracle(h1)).isEqualTo(before);
            assertThat(overlay.statusFile(h1)).doesNotExist();
            assertThat(lines(before, "link mooring")).isEmpty();
        }
    }
}
