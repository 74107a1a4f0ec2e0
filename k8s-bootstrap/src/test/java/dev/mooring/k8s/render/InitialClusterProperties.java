package dev.mooring.k8s.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.k8s.cluster.ClusterFile;
import dev.mooring.k8s.testing.Fixtures;
import dev.mooring.overlay.address.Ipv4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every control-plane host renders the same ETCD_INITIAL_CLUSTER whatever order its status file
 * lists the others in (etcd refuses to form a cluster whose members disagree on it), and names
 * itself with its own peer URL. A failure names its seed.
 */
class InitialClusterProperties {

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyHostRendersTheSameInitialCluster(long seed) throws Exception {
        Random random = new Random(seed);
        int count = 1 + 2 * random.nextInt(3);
        List<Map.Entry<String, String>> hosts = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int offset;
            do {
                offset = 2 + random.nextInt(500);
            } while (!used.add(offset));
            hosts.add(Map.entry("cp-" + i, Ipv4Address.parse("100.64.192.0").plus(offset).toString()));
        }
        Set<String> rendered = new HashSet<>();
        for (Map.Entry<String, String> self : hosts) {
            List<Map.Entry<String, String>> others = new ArrayList<>(hosts);
            others.remove(self);
            Collections.shuffle(others, random);
            PrepareInput in = new PrepareInput(new ClusterFile(1, "c", self.getKey(), ClusterFile.Role.CONTROL_PLANE, false,
                    new ClusterFile.Kubernetes(ClusterFile.Distribution.ETCD, Optional.empty(), Optional.empty(), count)),
                    OverlayView.of(Fixtures.statusOf(self.getKey(), self.getValue(), others)), new PrepareInput.EtcdData(Path.of("/d"), false));
            Map<String, String> env = EtcdConfig.environment(in);
            assertThat(env.get("ETCD_INITIAL_CLUSTER")).as("seed %d", seed)
                    .contains(self.getKey() + "=http://" + self.getValue() + ":2380");
            assertThat(env.get("ETCD_LISTEN_PEER_URLS")).isEqualTo("http://" + self.getValue() + ":2380");
            rendered.add(env.get("ETCD_INITIAL_CLUSTER"));
        }
        assertThat(rendered).as("seed %d: initial clusters rendered by the %d hosts", seed, count).hasSize(1);
    }
}
