package dev.mooring.k8s.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.RequiresNetns;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 8's proof: three hosts with the overlay on DHCP, each running Debian's real etcd with the
 * configuration {@code mooring k8s prepare} renders from its overlay status. A client writes keys
 * continuously while the DHCP outage changes every underlay address. The overlay-bound cluster
 * stays healthy, keeps its members and loses no acknowledged write; the control experiment, the
 * same cluster rendered for the underlay (DHCP) addresses, loses its quorum. Both outcomes are
 * printed side by side. No speed is asserted (the figure comes from EtcdWriteGapBench).
 */
@RequiresNetns
class EtcdOutageDrillTest {

    /** Time the control gets to recover before it is judged; the overlay-bound cluster needs none. */
    private static final Duration SETTLE = Duration.ofSeconds(15);

    @Test
    void etcdOnTheOverlaySurvivesTheDhcpOutageAndEtcdOnTheUnderlayDoesNot() throws Exception {
        EtcdMembers.assumeInstalled();
        EtcdOutageDrill.Outcome onOverlay;
        EtcdOutageDrill.Outcome onUnderlay;
        String envs;
        try (DhcpLab dhcp = DhcpLab.create(3);
             OverlayHosts overlay = new OverlayHosts(dhcp.netns(), 3, OverlayHosts.Settings.defaults());
             EtcdMembers etcd = new EtcdMembers(dhcp.netns())) {
            overlay.startAll(dhcp.netns().hosts());

            EtcdOutageDrill bound = new EtcdOutageDrill(dhcp, overlay, etcd, EtcdOutageDrill.Binding.OVERLAY, "overlay");
            bound.form();
            envs = describe(bound.environments());
            onOverlay = bound.outage(SETTLE);
            String overlayLogs = etcd.logs(20);
            etcd.killAll();

            EtcdOutageDrill control = new EtcdOutageDrill(dhcp, overlay, etcd, EtcdOutageDrill.Binding.UNDERLAY, "underlay");
            control.form();
            envs += describe(control.environments());
            onUnderlay = control.outage(SETTLE);

            System.out.println("etcd across the DHCP outage (" + onOverlay.from() + " -> " + onOverlay.to() + ", then "
                    + onUnderlay.from() + " -> " + onUnderlay.to() + " for the control):\n"
                    + EtcdOutageDrill.Outcome.header() + "\n" + onOverlay.row() + "\n" + onUnderlay.row() + "\n"
                    + "rendered environments:\n" + envs
                    + "health after, overlay-bound:\n" + onOverlay.healthDetails()
                    + "health after, underlay-bound:\n" + onUnderlay.healthDetails());

            assertThat(onOverlay.healthy()).as("healthy members after the outage, overlay-bound\n%s%s", onOverlay.healthDetails(), overlayLogs)
                    .containsExactly("h1", "h2", "h3");
            assertThat(onOverlay.membersAfter()).as("member list after the outage").isEqualTo(onOverlay.membersBefore()).hasSize(3);
            assertThat(onOverlay.membersBefore()).allMatch(m -> m.contains("http://100.64."), "peer URLs on overlay addresses");
            assertThat(onOverlay.lostWrites()).as("acknowledged writes missing after the outage (%s)", onOverlay.readError()).isEmpty();
            assertThat(onOverlay.acknowledged()).isPositive();
            assertThat(onOverlay.acknowledgedAfter()).as("writes acknowledged after the new leases").isPositive();
            assertThat(onOverlay.gap().censored()).as("writes resumed after the outage").isFalse();

            // The control: the same cluster bound to DHCP addresses loses its quorum for good.
            assertThat(onUnderlay.membersBefore()).allMatch(m -> !m.contains("http://100.64."), "peer URLs on underlay addresses");
            assertThat(onUnderlay.healthy()).as("healthy members after the outage, underlay-bound\n%s", onUnderlay.healthDetails())
                    .hasSizeLessThan(2);
            assertThat(onUnderlay.acknowledgedAfter()).as("writes acknowledged after the new leases, underlay-bound").isZero();
        }
    }

    private static String describe(Map<NetnsLab.Host, Map<String, String>> envs) {
        StringBuilder out = new StringBuilder();
        envs.forEach((h, env) -> out.append("  h").append(h.number()).append(": ").append(env.get("ETCD_LISTEN_PEER_URLS"))
                .append(" initial ").append(env.get("ETCD_INITIAL_CLUSTER")).append('\n'));
        return out.toString();
    }
}
