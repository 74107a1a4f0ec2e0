package dev.mooring.overlay.cli;

import static dev.mooring.overlay.cli.KernelOracle.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.service.OverlayStatus;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three hosts on one L2 underlay (198.51.100.0/24), each running {@code mooring overlay run} as
 * its own process, checked with iproute2 as the oracle: reachability over the overlay, the MTU,
 * drift repair and a restart nobody notices.
 */
@RequiresNetns
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverlayNetnsTest {

    private static final Duration REPAIR = Duration.ofSeconds(1);

    private Path dir;
    private OverlayLab overlay;
    private final List<NetnsLab.Background> services = new ArrayList<>();
    private NetnsLab.Host h1;
    private NetnsLab.Host h2;

    @BeforeAll
    void threeHosts() throws Exception {
        dir = Files.createTempDirectory("mr-overlay-test");
        overlay = new OverlayLab(3, dir);
        for (NetnsLab.Host host : overlay.lab.hosts()) {
            services.add(overlay.start(host));
        }
        h1 = overlay.lab.host(1);
        h2 = overlay.lab.host(2);
    }

    @AfterAll
    void tearDown() throws Exception {
        if (overlay != null) {
            overlay.close();
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void everyHostReachesEveryOtherOverTheOverlay() throws Exception {
        for (NetnsLab.Host from : overlay.lab.hosts()) {
            for (NetnsLab.Host to : overlay.lab.hosts()) {
                if (!from.equals(to)) {
                    assertThat(overlay.ping(from, to).exitCode()).as("h%d -> h%d over the overlay", from.number(), to.number()).isZero();
                }
            }
        }
    }

    @Test
    void theKernelHoldsExactlyTheOverlay() throws Exception {
        List<String> state = overlay.oracle(h1);
        assertThat(lines(state, "link mooring0 ")).singleElement().asString()
                .contains("mtu 1450", "UP", "mac 02:00:64:40:c0:0b", "kind bridge");
        assertThat(lines(state, "link mooring-vx ")).singleElement().asString()
                .contains("mtu 1450", "UP", "master mooring0", "kind vxlan id 4242 port 4789 dev eth0 learning false local -");
        assertThat(lines(state, "address mooring")).containsExactly("address mooring0 100.64.192.11/23");
        assertThat(lines(state, "fdb ")).containsExactlyInAnyOrder(
                "fdb mooring-vx 00:00:00:00:00:00 dst 198.51.100.12 [self] permanent",
                "fdb mooring-vx 00:00:00:00:00:00 dst 198.51.100.13 [self] permanent",
                "fdb mooring-vx 02:00:64:40:c0:0c dst 198.51.100.12 [self] permanent",
                "fdb mooring-vx 02:00:64:40:c0:0d dst 198.51.100.13 [self] permanent");
        assertThat(lines(state, "neigh mooring0")).containsExactlyInAnyOrder(
                "neigh mooring0 100.64.192.12 02:00:64:40:c0:0c", "neigh mooring0 100.64.192.13 02:00:64:40:c0:0d");
        OverlayStatus status = OverlayStatus.read(overlay.statusFile(h1));
        assertThat(status.underlay().device()).isEqualTo("eth0");
        assertThat(status.underlay().addresses()).containsExactly("198.51.100.11");
        assertThat(status.peers()).extracting(OverlayStatus.PeerStatus::host).containsExactly("h2", "h3");
    }

    @Test
    void aPacketOfExactlyTheOverlayMtuPassesAndOneByteMoreDoesNot() throws Exception {
        // 1450 = 1422 bytes of ICMP payload + 8 ICMP header + 20 IPv4 header; DF set.
        assertThat(overlay.ping(h1, h2, "-M", "do", "-s", "1422").exitCode()).isZero();
        NetnsLab.Result tooBig = overlay.ping(h1, h2, "-M", "do", "-s", "1423");
        assertThat(tooBig.exitCode()).isNotZero();
        assertThat(tooBig.stdout() + tooBig.stderr()).contains("mtu=1450");
    }

    @Test
    void aDeletedFdbEntryComesBackWithinASecond() throws Exception {
        String entry = "fdb mooring-vx 00:00:00:00:00:00 dst 198.51.100.12 [self] permanent";
        overlay.lab.exec(h1.namespace(), "bridge", "fdb", "del", "00:00:00:00:00:00", "dev", "mooring-vx", "dst", "198.51.100.12")
                .orThrow();
        Eventually.within(REPAIR, "the all-zero FDB entry to h2 is back", () -> overlay.oracle(h1).contains(entry));
    }

    @Test
    void aDeletedOverlayAddressComesBackWithinASecond() throws Exception {
        overlay.lab.exec(h2.namespace(), "ip", "address", "del", "100.64.192.12/23", "dev", "mooring0").orThrow();
        Eventually.within(REPAIR, "100.64.192.12/23 is back on mooring0",
                () -> overlay.oracle(h2).contains("address mooring0 100.64.192.12/23"));
        Eventually.within(REPAIR, "h2 reaches h1 again", () -> overlay.ping(h2, h1).succeeded());
    }

    @Test
    void aLinkSetDownComesBackUpWithinASecond() throws Exception {
        overlay.lab.exec(h1.namespace(), "ip", "link", "set", "mooring-vx", "down").orThrow();
        Eventually.within(REPAIR, "mooring-vx is up again",
                () -> lines(overlay.oracle(h1), "link mooring-vx ").getFirst().contains(",UP]"));
    }

    @Test
    void aKilledAndRestartedServiceLosesAtMostOnePingAndChangesNothing() throws Exception {
        NetnsLab.Host h3 = overlay.lab.host(3);
        List<String> before = overlay.oracle(h3);
        NetnsLab.Background stream = overlay.lab.start(h3.namespace(),
                List.of("ping", "-n", "-i", "0.1", "-c", "60", "-W", "1", OverlayLab.overlayAddress(h1).toString()));
        Eventually.within(Duration.ofSeconds(10), "the ping stream is flowing", () -> stream.output().contains("icmp_seq=5 "));

        services.get(2).kill();
        services.set(2, overlay.start(h3));
        Eventually.within(Duration.ofSeconds(10), "the restarted service's first pass is logged",
                () -> services.get(2).output().contains("ready:"));

        assertThat(stream.waitFor(Duration.ofSeconds(30))).as(stream.output()).isZero();
        Matcher counts = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(stream.output());
        assertThat(counts.find()).as(stream.output()).isTrue();
        assertThat(Integer.parseInt(counts.group(1)) - Integer.parseInt(counts.group(2))).as(stream.output()).isLessThanOrEqualTo(1);
        assertThat(services.get(2).output()).contains(", 0 changes in ");
        assertThat(overlay.oracle(h3)).isEqualTo(before);
    }
}
