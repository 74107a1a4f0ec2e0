package dev.mooring.k8s.render;

import dev.mooring.k8s.cluster.ClusterFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Standalone etcd as Debian's {@code etcd-server} runs it: its unit reads {@code /etc/default/etcd}
 * ({@code EnvironmentFile=-/etc/default/%p}), whose {@code ETCD_*} variables are etcd's flags (etcd
 * 3.4: {@code --name} is {@code ETCD_NAME} and so on). The member listens and advertises on the
 * overlay address only (plus loopback for local clients and the overlay's VIP health check on
 * 127.0.0.1:2379); the initial cluster is the control-plane hosts the overlay knows.
 */
public final class EtcdConfig {

    public static final Path ENVIRONMENT = Path.of("/etc/default/etcd");
    static final Path UNIT = Path.of("/lib/systemd/system/etcd.service");
    static final Path WANTS = Path.of("/etc/systemd/system/multi-user.target.wants/etcd.service");
    public static final int CLIENT_PORT = 2379;
    public static final int PEER_PORT = 2380;

    private EtcdConfig() {}

    /**
     * The {@code ETCD_*} variables for this host, in the order written. Public for the lab, which
     * starts {@code /usr/bin/etcd} with exactly these.
     */
    public static Map<String, String> environment(PrepareInput in) throws PrepareException {
        ClusterFile c = in.cluster();
        OverlayView o = in.overlay();
        List<OverlayView.Member> members = initialCluster(c, o);
        String ip = o.address().toString();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ETCD_NAME", c.host());
        env.put("ETCD_DATA_DIR", in.etcd().dataDir().toString());
        env.put("ETCD_LISTEN_PEER_URLS", peerUrl(ip));
        env.put("ETCD_LISTEN_CLIENT_URLS", clientUrl(ip) + ",http://127.0.0.1:" + CLIENT_PORT);
        env.put("ETCD_INITIAL_ADVERTISE_PEER_URLS", peerUrl(ip));
        env.put("ETCD_ADVERTISE_CLIENT_URLS", clientUrl(ip));
        env.put("ETCD_INITIAL_CLUSTER", members.stream().map(m -> m.host() + "=" + peerUrl(m.address().toString()))
                .collect(Collectors.joining(",")));
        env.put("ETCD_INITIAL_CLUSTER_STATE", in.etcd().hasMember() ? "existing" : "new");
        env.put("ETCD_INITIAL_CLUSTER_TOKEN", "mooring-" + c.cluster());
        return env;
    }

    static List<Rendered> render(PrepareInput in) throws PrepareException {
        if (!in.cluster().isControlPlane()) {
            return List.of();
        }
        StringBuilder text = new StringBuilder("""
                # Written by mooring k8s prepare from /etc/mooring/cluster.yaml and /run/mooring/overlay.json;
                # edits are overwritten. etcd bound to this host's overlay address (read by etcd.service).
                """);
        environment(in).forEach((k, v) -> text.append(k).append("=\"").append(v).append("\"\n"));
        return List.of(
                new Rendered.File(ENVIRONMENT, text.toString(), 0644),
                DropIns.forUnit("etcd.service"),
                new Rendered.Link(WANTS, UNIT));
    }

    /**
     * The first {@code control-plane-count} control-plane hosts by overlay address; this host must be
     * one of them. Fewer known is a caller error (prepare waits for them first, see {@link Readiness}).
     */
    static List<OverlayView.Member> initialCluster(ClusterFile c, OverlayView o) throws PrepareException {
        int count = c.kubernetes().controlPlaneCount();
        List<OverlayView.Member> known = o.controlPlanes();
        if (known.size() < count) {
            throw new PrepareException("etcd's initial cluster needs " + count + " control-plane hosts (kubernetes.control-plane-count)"
                    + " and the overlay knows " + known.size() + ": " + names(known) + "; start the others' overlay, or lower the count");
        }
        if (known.size() > count) {
            throw new PrepareException("the overlay knows " + known.size() + " control-plane hosts (" + names(known)
                    + ") but kubernetes.control-plane-count is " + count + " in /etc/mooring/cluster.yaml; set it to "
                    + known.size() + " on every host before the cluster is created (a host added to an existing etcd cluster"
                    + " needs `etcdctl member add` first, which prepare does not do)");
        }
        if (known.stream().noneMatch(m -> m.host().equals(c.host()) && m.address().equals(o.address()))) {
            throw new PrepareException("this host (" + c.host() + ", " + o.address() + ") is not among the control-plane hosts"
                    + " the overlay knows: " + names(known) + "; check role: control-plane in /etc/mooring/overlay.yaml");
        }
        return known;
    }

    private static String names(List<OverlayView.Member> members) {
        return members.isEmpty() ? "none" : members.stream().map(m -> m.host() + " " + m.address()).collect(Collectors.joining(", "));
    }

    private static String peerUrl(String ip) {
        return "http://" + ip + ":" + PEER_PORT;
    }

    private static String clientUrl(String ip) {
        return "http://" + ip + ":" + CLIENT_PORT;
    }
}
