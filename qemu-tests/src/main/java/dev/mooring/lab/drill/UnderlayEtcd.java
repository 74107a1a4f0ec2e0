package dev.mooring.lab.drill;

import dev.mooring.overlay.address.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The control run's etcd: what a site without the overlay does by hand. Each member is bound to the
 * DHCP address its host has at boot, with the same {@code ETCD_*} variables {@code mooring k8s
 * prepare} writes for the overlay address (docs/k8s.md), into the same {@code /etc/default/etcd}
 * that Debian's etcd-server unit reads. When the site's network restarts, those addresses are gone.
 */
final class UnderlayEtcd {
    static final String ENVIRONMENT = "/etc/default/etcd";

    private UnderlayEtcd() {}

    /** {@code /etc/default/etcd} for {@code host}; {@code members} (host to underlay address, in order) includes it. */
    static String environment(String host, Map<String, Ipv4Address> members, String cluster) {
        Ipv4Address ip = members.get(host);
        if (ip == null) {
            throw new IllegalArgumentException(host + " is not one of the members " + members.keySet());
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ETCD_NAME", host);
        env.put("ETCD_DATA_DIR", "/var/lib/etcd/default");
        env.put("ETCD_LISTEN_PEER_URLS", "http://" + ip + ":2380");
        env.put("ETCD_LISTEN_CLIENT_URLS", "http://" + ip + ":2379,http://127.0.0.1:2379");
        env.put("ETCD_INITIAL_ADVERTISE_PEER_URLS", "http://" + ip + ":2380");
        env.put("ETCD_ADVERTISE_CLIENT_URLS", "http://" + ip + ":2379");
        env.put("ETCD_INITIAL_CLUSTER", members.entrySet().stream().map(e -> e.getKey() + "=http://" + e.getValue() + ":2380")
                .collect(Collectors.joining(",")));
        env.put("ETCD_INITIAL_CLUSTER_STATE", "new");
        env.put("ETCD_INITIAL_CLUSTER_TOKEN", "mooring-" + cluster);
        StringBuilder text = new StringBuilder("# Written by the lab's control run: etcd bound to this host's DHCP address (no overlay).\n");
        env.forEach((k, v) -> text.append(k).append("=\"").append(v).append("\"\n"));
        return text.toString();
    }

    /** A guest script that installs {@code environment} and starts etcd without waiting for its quorum. */
    static String installAndStart(String environment) {
        return "cat > " + ENVIRONMENT + ".tmp <<'MR-ETCD'\n" + environment + "MR-ETCD\n"
                + "mv " + ENVIRONMENT + ".tmp " + ENVIRONMENT + " && systemctl --no-block start etcd.service\n";
    }
}
