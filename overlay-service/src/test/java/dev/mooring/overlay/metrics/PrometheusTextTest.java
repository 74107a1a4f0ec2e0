package dev.mooring.overlay.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static MetricsSnapshot snapshot(Optional<Duration> convergence) {
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropped.put("bad-hmac", 3L);
        dropped.put("replayed", 1L);
        return new MetricsSnapshot(Map.of("alive", 2L), 120, 230, dropped, 41, 17, 1, convergence, 2, true, 1);
    }

    @Test
    void rendersEveryFigureWithHelpAndType() {
        assertThat(PrometheusText.render(snapshot(Optional.of(Duration.ofMillis(42))))).isEqualTo("""
                # HELP mooring_overlay_peers Members of the cluster as this host sees them, by state.
                # TYPE mooring_overlay_peers gauge
                mooring_overlay_peers{state="alive"} 2
                # HELP mooring_discovery_announcement_rounds_total Announcement rounds sent; each goes to the underlay broadcast address and to every known peer.
                # TYPE mooring_discovery_announcement_rounds_total counter
                mooring_discovery_announcement_rounds_total 120
                # HELP mooring_discovery_announcements_accepted_total Announcements from other hosts that passed every check.
                # TYPE mooring_discovery_announcements_accepted_total counter
                mooring_discovery_announcements_accepted_total 230
                # HELP mooring_discovery_dropped_total Datagrams dropped on the discovery port, by reason (forged ones count as bad-hmac).
                # TYPE mooring_discovery_dropped_total counter
                mooring_discovery_dropped_total{reason="bad-hmac"} 3
                mooring_discovery_dropped_total{reason="replayed"} 1
                # HELP mooring_reconcile_passes_total Reconcile passes run (failed ones included).
                # TYPE mooring_reconcile_passes_total counter
                mooring_reconcile_passes_total 41
                # HELP mooring_reconcile_changes_total Kernel changes applied by reconcile passes.
                # TYPE mooring_reconcile_changes_total counter
                mooring_reconcile_changes_total 17
                # HELP mooring_reconcile_failures_total Reconcile passes that failed (each is retried).
                # TYPE mooring_reconcile_failures_total counter
                mooring_reconcile_failures_total 1
                # HELP mooring_overlay_last_convergence_seconds From the last underlay or membership change to the kernel holding its consequence.
                # TYPE mooring_overlay_last_convergence_seconds gauge
                mooring_overlay_last_convergence_seconds 0.042
                # HELP mooring_underlay_changes_total Underlay changes seen: a new or removed address, the interface gone or replaced.
                # TYPE mooring_underlay_changes_total counter
                mooring_underlay_changes_total 2
                # HELP mooring_vip_held 1 while this host holds the control-plane VIP, else 0.
                # TYPE mooring_vip_held gauge
                mooring_vip_held 1
                # HELP mooring_vip_changes_total Times this host took or released the VIP.
                # TYPE mooring_vip_changes_total counter
                mooring_vip_changes_total 1
                """);
    }

    @Test
    void withoutAConvergenceYetTheGaugeIsLeftOut() {
        assertThat(PrometheusText.render(snapshot(Optional.empty()))).doesNotContain("convergence");
    }

    @Test
    void everySampleLineIsNameLabelsValue() {
        String text = PrometheusText.render(snapshot(Optional.of(Duration.ofNanos(1_234_567))));
        assertThat(text.lines().filter(l -> !l.startsWith("#")))
                .allMatch(l -> l.matches("mooring_[a-z_]+(\\{[a-z]+=\"[^\"]*\"})? [0-9.]+"), "a sample line");
        assertThat(text).contains("mooring_overlay_last_convergence_seconds 0.001234567\n");
    }

    @Test
    void labelValuesAreEscaped() {
        assertThat(PrometheusText.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    }
}
