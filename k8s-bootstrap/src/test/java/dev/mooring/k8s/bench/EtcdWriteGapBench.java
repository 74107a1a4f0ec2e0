package dev.mooring.k8s.bench;

import dev.mooring.k8s.lab.EtcdMembers;
import dev.mooring.k8s.lab.EtcdOutageDrill;
import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.NetnsAvailable;
import dev.mooring.overlay.testing.OverlayHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code etcd-write-gap-during-dhcp-outage}: the longest time without an acknowledged etcd write
 * while the DHCP outage drill moves all three hosts to the other network, over {@value #DRILLS}
 * drills (one warm-up drill before them is not counted), needs root. Three hosts run the overlay
 * (all control-plane) on a {@link DhcpLab} and Debian's etcd 3.4 with the configuration
 * {@code mooring k8s prepare} renders (peer and client URLs on the overlay addresses); a writer on
 * h1 puts keys one after the other through etcd's JSON gateway on 127.0.0.1:2379.
 *
 * <p>Baseline, in the same run: the same cluster rendered for the underlay (DHCP) addresses, the
 * same drill, {@value #CONTROLS} times (a fresh cluster each, since it never recovers): its gap never
 * ends, so its samples are lower bounds (observation ends {@code AFTER} after the last lease).
 * Also printed: from the last host's new lease to the first write acknowledged after it
 * ({@code etcd-write-resume-after-last-lease}), and how long hosts had no usable underlay address
 * (from the last acknowledged write before the outage to the last new lease), which no binding
 * can write through. Run: {@code bench/run EtcdWriteGapBench}.
 */
public final class EtcdWriteGapBench {

    static final int DRILLS = 10;
    static final int CONTROLS = 3;
    private static final Duration SETTLE = Duration.ofSeconds(5);

    public static void main(String[] args) throws Exception {
        Optional<String> missing = NetnsAvailable.missingPrerequisite();
        if (missing.isPresent()) {
            System.err.println("EtcdWriteGapBench: skipped: " + missing.get());
            return;
        }
        if (!java.nio.file.Files.isExecutable(EtcdMembers.ETCD) || !java.nio.file.Files.isExecutable(EtcdMembers.ETCDCTL)) {
            System.err.println("EtcdWriteGapBench: skipped: etcd-server and etcd-client are not installed (bin/ensure-packages)");
            return;
        }
        List<Double> gaps = new ArrayList<>();
        List<Double> resumed = new ArrayList<>();
        List<Double> noAddress = new ArrayList<>();
        List<Double> controlGaps = new ArrayList<>();
        List<String> controlRows = new ArrayList<>();
        try (DhcpLab dhcp = DhcpLab.create(3);
             OverlayHosts overlay = new OverlayHosts(dhcp.netns(), 3, OverlayHosts.Settings.defaults());
             EtcdMembers etcd = new EtcdMembers(dhcp.netns())) {
            overlay.startAll(dhcp.netns().hosts());
            EtcdOutageDrill bound = new EtcdOutageDrill(dhcp, overlay, etcd, EtcdOutageDrill.Binding.OVERLAY, "bench");
            bound.form();
            for (int drill = 0; drill <= DRILLS; drill++) {
                long electionsBefore = etcd.count("elected leader");
                EtcdOutageDrill.Outcome o = bound.outage(SETTLE);
                System.err.println("drill " + drill + (drill == 0 ? " (warm-up)" : "") + ": " + o.row()
                        + String.format(" | no address %.0f ms, resumed %.0f ms after the last lease, leader elections seen: %d",
                        o.leaseSpreadMillis(), o.resumedAfterLastLeaseMillis(), etcd.count("elected leader") - electionsBefore));
                if (!o.survived()) {
                    throw new IllegalStateException("the overlay-bound cluster did not come through drill " + drill + ":\n"
                            + o.healthDetails() + etcd.logs(30));
                }
                if (drill > 0) {
                    gaps.add(o.gap().millis());
                    resumed.add(o.resumedAfterLastLeaseMillis());
                    noAddress.add(o.leaseSpreadMillis());
                }
            }
            for (int c = 0; c < Integer.getInteger("mooring.bench.controls", CONTROLS); c++) {
                etcd.killAll();
                EtcdOutageDrill control = new EtcdOutageDrill(dhcp, overlay, etcd, EtcdOutageDrill.Binding.UNDERLAY, "control" + c);
                control.form();
                EtcdOutageDrill.Outcome o = control.outage(SETTLE);
                System.err.println("control " + c + ": " + o.row());
                controlGaps.add(o.gap().millis());
                controlRows.add(o.healthy().size() + "/3 healthy, " + o.acknowledgedAfter() + " writes after"
                        + (o.gap().censored() ? ", never resumed" : ""));
            }
        }
        String variant = (System.getProperty("mooring.lab.etcd-env", "") + " " + System.getProperty("mooring.lab.sysctl", "")).strip();
        String suffix = variant.isEmpty() ? "" : "-variant";
        String controls = controlRows.stream().collect(Collectors.joining("; "));
        System.out.println(json("etcd-write-gap-during-dhcp-outage" + suffix, gaps, controlGaps.isEmpty() ? null :
                "same etcd bound to the underlay (DHCP) addresses; lower bounds, it never recovered", controlGaps,
                (variant.isEmpty() ? "" : "lab variant, not what prepare renders: " + variant + ". ") + "longest time between acknowledged writes around the outage (all three hosts release and rebind, the "
                        + "network alternates); includes the time hosts had no underlay address at all (median "
                        + median(noAddress) + " ms), which no binding survives. Control runs: " + controls));
        System.out.println(json("etcd-write-resume-after-last-lease" + suffix, resumed, null, null,
                (variant.isEmpty() ? "" : "lab variant, not what prepare renders: " + variant + ". ") + "from the moment the last host applied its new lease to the first write etcd acknowledged after it"));
    }

    private static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        return s.isEmpty() ? Double.NaN : Math.round(s.get(s.size() / 2));
    }

    private static String json(String figure, List<Double> samples, String baselineName, List<Double> baseline, String notes) {
        StringBuilder out = new StringBuilder("{\"figure\":\"" + figure + "\",\"unit\":\"ms\",\"samples\":" + list(samples));
        if (baselineName != null) {
            out.append(",\"baseline\":{\"name\":\"").append(baselineName).append("\",\"samples\":").append(list(baseline)).append('}');
        }
        out.append(",\"notes\":\"").append(notes.replace("\"", "'")).append("\"}");
        return out.toString();
    }

    private static String list(List<Double> values) {
        return values.stream().map(v -> String.format("%.1f", v)).collect(Collectors.joining(",", "[", "]"));
    }
}
