package dev.mooring.overlay.metrics;

import java.util.Map;

/**
 * Renders a {@link MetricsSnapshot} in the Prometheus text exposition format (version 0.0.4): for
 * each metric a {@code # HELP} and a {@code # TYPE} line, then its samples, labels in double
 * quotes. Names carry the {@code mooring_} prefix and, for counters, the {@code _total} suffix.
 */
public final class PrometheusText {

    /** The Content-Type Prometheus expects for this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {}

    public static String render(MetricsSnapshot s) {
        StringBuilder out = new StringBuilder(2048);
        header(out, "mooring_overlay_peers", "gauge", "Members of the cluster as this host sees them, by state.");
        labelled(out, "mooring_overlay_peers", "state", s.peersByState());
        metric(out, "mooring_discovery_announcement_rounds_total", "counter",
                "Announcement rounds sent; each goes to the underlay broadcast address and to every known peer.",
                s.announcementRounds());
        metric(out, "mooring_discovery_announcements_accepted_total", "counter",
                "Announcements from other hosts that passed every check.", s.announcementsAccepted());
        header(out, "mooring_discovery_dropped_total", "counter",
                "Datagrams dropped on the discovery port, by reason (forged ones count as bad-hmac).");
        labelled(out, "mooring_discovery_dropped_total", "reason", s.droppedByReason());
        metric(out, "mooring_reconcile_passes_total", "counter", "Reconcile passes run (failed ones included).",
                s.reconcilePasses());
        metric(out, "mooring_reconcile_changes_total", "counter", "Kernel changes applied by reconcile passes.",
                s.reconcileChanges());
        metric(out, "mooring_reconcile_failures_total", "counter", "Reconcile passes that failed (each is retried).",
                s.reconcileFailures());
        if (s.lastConvergence().isPresent()) {
            header(out, "mooring_overlay_last_convergence_seconds", "gauge",
                    "From the last underlay or membership change to the kernel holding its consequence.");
            out.append("mooring_overlay_last_convergence_seconds ")
                    .append(seconds(s.lastConvergence().get().toNanos())).append('\n');
        }
        metric(out, "mooring_underlay_changes_total", "counter",
                "Underlay changes seen: a new or removed address, the interface gone or replaced.", s.underlayChanges());
        metric(out, "mooring_vip_held", "gauge", "1 while this host holds the control-plane VIP, else 0.", s.vipHeld() ? 1 : 0);
        metric(out, "mooring_vip_changes_total", "counter", "Times this host took or released the VIP.", s.vipChanges());
        return out.toString();
    }

    private static void metric(StringBuilder out, String name, String type, String help, long value) {
        header(out, name, type, help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void labelled(StringBuilder out, String name, String label, Map<String, Long> values) {
        values.forEach((key, value) -> out.append(name).append('{').append(label).append("=\"").append(escape(key))
                .append("\"} ").append(value).append('\n'));
    }

    /** Label values escape backslash, double quote and newline. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Seconds with millisecond-or-better precision, without exponent notation. */
    private static String seconds(long nanos) {
        return java.math.BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }
}
