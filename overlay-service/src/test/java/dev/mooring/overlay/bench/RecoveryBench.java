package dev.mooring.overlay.bench;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.testing.DhcpLab;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.UdpProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code overlay-recovery-after-dhcp-change}: milliseconds from the new lease to all-pairs overlay
 * reachability, over {@value #DRILLS} outage drills (needs root). Three hosts run {@code mooring
 * overlay run} with discovery on a {@link DhcpLab}; every drill restarts dnsmasq on the other
 * network (198.51.100.0/24 ↔ 203.0.113.0/24) and all three clients release and rebind at once.
 *
 * <p>Start: the moment the last of the three clients' event scripts had applied its new address
 * and route (so every host has its new address). End: the moment every directed pair had
 * answered a UDP echo sent over the overlay at or after the start; every pair is probed every
 * {@value #PROBE_MS} ms, so the figure is at most that much late. One drill before the
 * {@value #DRILLS} warms the services up and is not counted. Run: {@code bench/run RecoveryBench}.
 */
public final class RecoveryBench {

    static final int DRILLS = 20;
    static final int PROBE_MS = 10;
    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        if (!BenchPeers.runningAsRoot("RecoveryBench")) {
            return;
        }
        List<Double> samples = new ArrayList<>();
        try (DhcpLab dhcp = DhcpLab.create(3);
             OverlayHosts overlay = new OverlayHosts(dhcp.netns(), 1, OverlayHosts.Settings.defaults());
             UdpProbe probe = new UdpProbe(Duration.ofMillis(PROBE_MS))) {
            overlay.startAll(dhcp.netns().hosts());
            Map<NetnsLab.Host, Ipv4Address> addresses = overlay.overlayAddresses();
            for (NetnsLab.Host host : dhcp.netns().hosts()) {
                probe.respond("h" + host.number(), host.namespaceFile());
            }
            for (NetnsLab.Host from : dhcp.netns().hosts()) {
                for (NetnsLab.Host to : dhcp.netns().hosts()) {
                    if (!from.equals(to)) {
                        probe.probe("h" + from.number() + "->h" + to.number(), from.namespaceFile(), addresses.get(to));
                    }
                }
            }
            if (probe.allAnsweredSince(System.nanoTime(), GIVE_UP).isEmpty()) {
                throw new IllegalStateException("the overlay never answered on every pair: " + probe.silentSince(0) + "\n" + overlay.logs());
            }
            for (int drill = 0; drill <= DRILLS; drill++) {
                Cidr next = dhcp.network().equals(NetnsLab.UNDERLAY) ? NetnsLab.MOVED_UNDERLAY : NetnsLab.UNDERLAY;
                probe.forget();
                Map<NetnsLab.Host, DhcpLab.Lease> leases = dhcp.outage(next);
                Instant firstApplied = leases.values().stream().map(DhcpLab.Lease::applied).min(Instant::compareTo).orElseThrow();
                Instant lastApplied = leases.values().stream().map(DhcpLab.Lease::applied).max(Instant::compareTo).orElseThrow();
                long start = toNanoTime(lastApplied);
                OptionalLong all = probe.allAnsweredSince(start, GIVE_UP);
                if (all.isEmpty()) {
                    throw new IllegalStateException("drill " + drill + ": no answer within " + GIVE_UP + " on "
                            + probe.silentSince(start) + "\n" + overlay.logs());
                }
                if (!overlay.overlayAddresses().equals(addresses)) {
                    throw new IllegalStateException("drill " + drill + ": overlay addresses changed from " + addresses
                            + " to " + overlay.overlayAddresses());
                }
                double ms = (all.getAsLong() - start) / 1e6;
                System.err.printf("drill %d to %s: %.1f ms (the three leases applied within %.1f ms)%n", drill, next, ms,
                        Duration.between(firstApplied, lastApplied).toNanos() / 1e6);
                if (drill > 0) {
                    samples.add(ms);
                }
            }
        }
        System.out.println("{\"figure\":\"overlay-recovery-after-dhcp-change\",\"unit\":\"ms\",\"samples\":" + BenchPeers.json(samples)
                + ",\"notes\":\"3 hosts, discovery only (announce 250 ms), all three release/rebind at once (dnsmasq + busybox udhcpc);"
                + " from the last new lease applied to every directed pair answering a UDP echo over the overlay (probes every "
                + PROBE_MS + " ms per pair); " + DRILLS + " drills after 1 warm-up\"}");
    }

    /** {@code instant} (wall clock) on the {@link System#nanoTime()} scale the probe uses. */
    static long toNanoTime(Instant instant) {
        Instant now = Instant.now();
        long nanoNow = System.nanoTime();
        return nanoNow - Duration.between(instant, now).toNanos();
    }
}
