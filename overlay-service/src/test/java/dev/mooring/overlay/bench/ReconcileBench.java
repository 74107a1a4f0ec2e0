package dev.mooring.overlay.bench;

import dev.mooring.overlay.config.OverlaySettings;
import dev.mooring.overlay.kernel.KernelChange;
import dev.mooring.overlay.kernel.NetlinkKernel;
import dev.mooring.overlay.reconcile.DesiredState;
import dev.mooring.overlay.reconcile.Peer;
import dev.mooring.overlay.reconcile.Planner;
import dev.mooring.overlay.reconcile.Reconciler;
import dev.mooring.overlay.testing.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Reconcile on the real kernel, in a lab namespace (needs root), with 250 static peers:
 * <ul>
 * <li>{@code overlay-reconcile-250-peers}: from nothing to the full overlay (bridge, VXLAN port,
 *     address, 500 FDB entries, 250 neighbours) in one pass, n=10. Baseline in the same run: the
 *     500 FDB entries alone added by one {@code bridge -batch} process.</li>
 * <li>{@code overlay-noop-reconcile-250-peers}: a pass over that correct state (observe, plan,
 *     nothing to apply), n=50.</li>
 * </ul>
 * Run: {@code bench/run ReconcileBench}.
 */
public final class ReconcileBench {

    private static final int PEERS = 250;
    private static final int WARMUP = 3;

    public static void main(String[] args) throws Exception {
        if (!BenchPeers.runningAsRoot("ReconcileBench")) {
            return;
        }
        List<Peer> peers = BenchPeers.peers(PEERS);
        OverlaySettings settings = OverlaySettings.defaults(OverlaySettings.DEFAULT_CIDR);
        try (NetnsLab lab = NetnsLab.create(1);
             NetlinkKernel kernel = NetlinkKernel.openIn(lab.host(1).namespaceFile())) {
            String namespace = lab.host(1).namespace();
            Reconciler full = new Reconciler(kernel, settings, BenchPeers.ADDRESS, () -> peers, Clock.systemUTC());
            Reconciler devicesOnly = new Reconciler(kernel, settings, BenchPeers.ADDRESS, List::of, Clock.systemUTC());
            Path batch = Files.createTempFile("mr-bench-fdb", ".batch");
            try {
                Files.write(batch, batchLines(peers));
                List<Double> fromEmpty = new ArrayList<>();
                List<Double> baseline = new ArrayList<>();
                for (int i = 0; i < WARMUP + 10; i++) {
                    teardown(kernel);
                    long start = System.nanoTime();
                    int applied = full.reconcileOnce().applied().size();
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (applied != 2 * PEERS + PEERS + 6) {
                        throw new IllegalStateException("expected a full pass, applied " + applied);
                    }
                    teardown(kernel);
                    devicesOnly.reconcileOnce();
                    long forkStart = System.nanoTime();
                    Process bridge = new ProcessBuilder("bridge", "-n", namespace, "-batch", batch.toString())
                            .redirectErrorStream(true).start();
                    String output = new String(bridge.getInputStream().readAllBytes());
                    if (bridge.waitFor() != 0) {
                        throw new IllegalStateException("bridge -batch failed: " + output);
                    }
                    double forkMs = (System.nanoTime() - forkStart) / 1e6;
                    if (i >= WARMUP) {
                        fromEmpty.add(ms);
                        baseline.add(forkMs);
                    }
                }
                teardown(kernel);
                full.reconcileOnce();
                List<Double> noop = new ArrayList<>();
                for (int i = 0; i < WARMUP * 10 + 50; i++) {
                    long start = System.nanoTime();
                    int applied = full.reconcileOnce().applied().size();
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (applied != 0) {
                        throw new IllegalStateException("a pass over a correct kernel applied " + applied + " changes");
                    }
                    if (i >= WARMUP * 10) {
                        noop.add(ms);
                    }
                }
                System.out.println("{\"figure\":\"overlay-reconcile-250-peers\",\"unit\":\"ms\",\"samples\":" + BenchPeers.json(fromEmpty)
                        + ",\"baseline\":{\"name\":\"the 500 FDB entries alone via one bridge -batch process\",\"samples\":"
                        + BenchPeers.json(baseline) + "},\"notes\":\"one pass from nothing: 2 links, 1 address, 500 FDB entries,"
                        + " 250 permanent neighbours (756 changes) over rtnetlink; warm JVM (" + WARMUP + " warm-up passes)\"}");
                System.out.println("{\"figure\":\"overlay-noop-reconcile-250-peers\",\"unit\":\"ms\",\"samples\":" + BenchPeers.json(noop)
                        + ",\"notes\":\"observe (4 dumps) + plan over 250 peers, nothing to apply; warm JVM\"}");
            } finally {
                Files.deleteIfExists(batch);
            }
        }
    }

    private static void teardown(NetlinkKernel kernel) throws Exception {
        for (KernelChange c : Planner.teardown(kernel.observe())) {
            kernel.apply(c);
        }
    }

    private static List<String> batchLines(List<Peer> peers) {
        List<String> lines = new ArrayList<>();
        for (Peer p : peers) {
            lines.add("fdb append 00:00:00:00:00:00 dev " + DesiredState.VXLAN + " dst " + p.underlay() + " self permanent");
        }
        for (Peer p : peers) {
            lines.add("fdb append " + p.mac() + " dev " + DesiredState.VXLAN + " dst " + p.underlay() + " self permanent");
        }
        return lines;
    }
}
