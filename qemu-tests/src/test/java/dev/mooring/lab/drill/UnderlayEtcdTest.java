package dev.mooring.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.overlay.address.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnderlayEtcdTest {
    private static final Map<String, Ipv4Address> MEMBERS = new LinkedHashMap<>();

    static {
        MEMBERS.put("node1", Ipv4Address.parse("198.51.100.151"));
        MEMBERS.put("node2", Ipv4Address.parse("198.51.100.104"));
        MEMBERS.put("node3", Ipv4Address.parse("198.51.100.177"));
    }

    @Test
    void eachMemberIsBoundToItsOwnDhcpAddressAndListsEveryMember() {
        String env = UnderlayEtcd.environment("node2", MEMBERS, "lab");
        assertThat(env.lines().filter(l -> !l.startsWith("#"))).containsExactly(
                "ETCD_NAME=\"node2\"",
                "ETCD_DATA_DIR=\"/var/lib/etcd/default\"",
                "ETCD_LISTEN_PEER_URLS=\"http://198.51.100.104:2380\"",
                "ETCD_LISTEN_CLIENT_URLS=\"http://198.51.100.104:2379,http://127.0.0.1:2379\"",
                "ETCD_INITIAL_ADVERTISE_PEER_URLS=\"http://198.51.100.104:2380\"",
                "ETCD_ADVERTISE_CLIENT_URLS=\"http://198.51.100.104:2379\"",
                "ETCD_INITIAL_CLUSTER=\"node1=http://198.51.100.151:2380,node2=http://198.51.100.104:2380,node3=http://198.51.100.177:2380\"",
                "ETCD_INITIAL_CLUSTER_STATE=\"new\"",
                "ETCD_INITIAL_CLUSTER_TOKEN=\"mooring-lab\"");
        // Every member writes the same initial cluster, or etcd refuses to form it.
        assertThat(UnderlayEtcd.environment("node1", MEMBERS, "lab").lines().filter(l -> l.startsWith("ETCD_INITIAL_CLUSTER=")))
                .containsExactlyElementsOf(env.lines().filter(l -> l.startsWith("ETCD_INITIAL_CLUSTER=")).toList());
    }

    @Test
    void aHostThatIsNoMemberIsRefused() {
        assertThatThrownBy(() -> UnderlayEtcd.environment("node4", MEMBERS, "lab")).hasMessageContaining("node4 is not one of the members");
    }

    @Test
    void theScriptWritesTheFileWholeBeforeStartingEtcd() {
        String script = UnderlayEtcd.installAndStart(UnderlayEtcd.environment("node1", MEMBERS, "lab"));
        assertThat(script).startsWith("cat > /etc/default/etcd.tmp <<'MR-ETCD'\n")
                .contains("\nMR-ETCD\nmv /etc/default/etcd.tmp /etc/default/etcd && systemctl --no-block start etcd.service\n");
    }
}
