package dev.mooring.k8s.testing;

import dev.mooring.k8s.cluster.ClusterFile;
import dev.mooring.overlay.service.OverlayStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Cluster files and overlay status files for unit tests: three control-plane hosts and a worker on 100.64.192.0/23. */
public final class Fixtures {

    public static final String VIP = "100.64.192.1";
    /** h1..h3 control-plane, h4 worker. */
    public static final Map<String, String> ADDRESSES = Map.of(
            "h1", "100.64.192.11", "h2", "100.64.192.12", "h3", "100.64.192.13", "h4", "100.64.192.14");

    private Fixtures() {}

    public static ClusterFile cluster(String host, ClusterFile.Role role, boolean bootstrap, ClusterFile.Distribution d,
                                      Optional<String> version, Optional<String> token, int count) {
        return new ClusterFile(1, "store-0042", host, role, bootstrap, new ClusterFile.Kubernetes(d, version, token, count));
    }

    /**
     * {@code host}'s status file as the overlay service writes it, ready, knowing the hosts named in
     * {@code others} (h1..h3 control-plane, h4 worker).
     */
    public static OverlayStatus status(String host, String state, List<String> others) {
        List<OverlayStatus.MemberStatus> members = new ArrayList<>();
        for (String o : others) {
            members.add(new OverlayStatus.MemberStatus("id-" + o, o, ADDRESSES.get(o), "198.51.100.1" + o.substring(1),
                    "02:00:64:40:c0:0" + o.substring(1), role(o), "alive", "2026-11-27T03:00:00.010Z", 3, false,
                    role(o).equals("control-plane"), false));
        }
        return new OverlayStatus(OverlayStatus.VERSION, state, "store-0042", host, "id-" + host, role(host), 7,
                new OverlayStatus.Overlay(ADDRESSES.get(host), "persisted", 23, "100.64.192.0/23", "02:00:64:40:c0:0b", VIP,
                        1450, "mooring0", "mooring-vx", 4242, 4789),
                new OverlayStatus.Underlay("eth0", List.of("198.51.100.1" + host.substring(1)), 1500),
                new OverlayStatus.Vip(VIP, true, "h1", "id-h1", host.equals("h1"), null),
                new OverlayStatus.Discovery(true, 4793, 250, 10, Map.of()),
                List.of(), members,
                new OverlayStatus.Reconcile("2026-11-27T03:00:00.012Z", 3, 14, 0, null),
                "http://127.0.0.1:9647/metrics");
    }

    /**
     * A ready status file for {@code self} (control-plane) whose members are {@code others}
     * (control-plane), in the order given.
     */
    public static OverlayStatus statusOf(String self, String selfAddress, List<Map.Entry<String, String>> others) {
        List<OverlayStatus.MemberStatus> members = new ArrayList<>();
        for (Map.Entry<String, String> o : others) {
            members.add(new OverlayStatus.MemberStatus("id-" + o.getKey(), o.getKey(), o.getValue(), "198.51.100.10", "02:00:00:00:00:00",
                    "control-plane", "alive", "2026-11-27T03:00:00.010Z", 1, false, true, false));
        }
        return new OverlayStatus(OverlayStatus.VERSION, "ready", "c", self, "id-" + self, "control-plane", 1,
                new OverlayStatus.Overlay(selfAddress, "derived", 23, "100.64.192.0/23", "02:00:00:00:00:00", VIP,
                        1450, "mooring0", "mooring-vx", 4242, 4789),
                new OverlayStatus.Underlay("eth0", List.of("198.51.100.10"), 1500),
                new OverlayStatus.Vip(VIP, true, null, null, false, null),
                new OverlayStatus.Discovery(true, 4793, 250, 10, Map.of()), List.of(), members,
                new OverlayStatus.Reconcile("2026-11-27T03:00:00.012Z", 3, 14, 0, null), null);
    }

    public static String role(String host) {
        return host.equals("h4") ? "worker" : "control-plane";
    }
}
