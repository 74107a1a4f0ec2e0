package dev.mooring.k8s.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterFileParserTest {

    private static final Path FILE = Path.of("/etc/mooring/cluster.yaml");

    @Test
    void readsTheContractsExample() throws Exception {
        ClusterFile f = ClusterFileParser.parse(FILE, """
                version: 1
                cluster: store-0042            # mooring.cluster.name
                host: store-0042-cp1
                role: control-plane
                bootstrap: true
                kubernetes:
                  distribution: k3s
                  version: v1.31.4+k3s1
                  token: K10-join-token
                  control-plane-count: 3
                """);
        assertThat(f).isEqualTo(new ClusterFile(1, "store-0042", "store-0042-cp1", ClusterFile.Role.CONTROL_PLANE, true,
                new ClusterFile.Kubernetes(ClusterFile.Distribution.K3S, Optional.of("v1.31.4+k3s1"), Optional.of("K10-join-token"), 3)));
    }

    @Test
    void optionalKeysDefault() throws Exception {
        ClusterFile f = ClusterFileParser.parse(FILE, """
                version: 1
                cluster: c
                host: w1
                role: worker
                kubernetes: {distribution: etcd}
                """);
        assertThat(f.bootstrap()).isFalse();
        assertThat(f.kubernetes()).isEqualTo(new ClusterFile.Kubernetes(ClusterFile.Distribution.ETCD, Optional.empty(), Optional.empty(), 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top key      | version: 1\\ncluster: c\\nhost: h\\nrole: worker\\nkubernets: {distribution: k3s}\\n | /etc/mooring/cluster.yaml:5:1: kubernets: unknown key
            unknown nested key   | version: 1\\ncluster: c\\nhost: h\\nrole: worker\\nkubernetes:\\n  distro: k3s\\n       | /etc/mooring/cluster.yaml:6:3: kubernetes.distro: unknown key
            bad distribution     | version: 1\\ncluster: c\\nhost: h\\nrole: worker\\nkubernetes: {distribution: k0s}\\n | /etc/mooring/cluster.yaml:5:28: kubernetes.distribution: expected k3s, kubeadm or etcd, got 'k0s'
            bad role             | version: 1\\ncluster: c\\nhost: h\\nrole: master\\nkubernetes: {distribution: k3s}\\n | /etc/mooring/cluster.yaml:4:7: role: expected control-plane or worker, got 'master'
            worker bootstraps    | version: 1\\ncluster: c\\nhost: h\\nrole: worker\\nbootstrap: true\\nkubernetes: {distribution: k3s}\\n | /etc/mooring/cluster.yaml:5:12: bootstrap: a worker cannot initialise the cluster
            count not a number   | version: 1\\ncluster: c\\nhost: h\\nrole: worker\\nkubernetes: {distribution: etcd, control-plane-count: three}\\n | /etc/mooring/cluster.yaml:5:55: kubernetes.control-plane-count: expected a whole number, got 'three'
            count too big        | version: 1\\ncluster: c\\nhost: h\\nrole: worker\\nkubernetes: {distribution: etcd, control-plane-count: 12}\\n | /etc/mooring/cluster.yaml:5:55: kubernetes.control-plane-count: expected 1..9
            missing kubernetes   | version: 1\\ncluster: c\\nhost: h\\nrole: worker\\n | /etc/mooring/cluster.yaml:1:1: kubernetes: missing
            other version        | version: 2\\ncluster: c\\nhost: h\\nrole: worker\\nkubernetes: {distribution: k3s}\\n | /etc/mooring/cluster.yaml:1:10: version: this mooring reads version 1
            host not a label     | version: 1\\ncluster: c\\nhost: Store_1\\nrole: worker\\nkubernetes: {distribution: k3s}\\n | /etc/mooring/cluster.yaml:3:7: host: 'Store_1' is not a DNS label
            broken yaml          | version: 1\\ncluster: [c\\n | /etc/mooring/cluster.yaml:3:1: not valid YAML
            duplicate key        | version: 1\\nversion: 1\\n | /etc/mooring/cluster.yaml:
            """)
    void refusesWithFileLineAndColumn(String what, String text, String message) {
        assertThatThrownBy(() -> ClusterFileParser.parse(FILE, text.replace("\\n", "\n")))
                .as(what).isInstanceOf(ClusterFileException.class).hasMessageStartingWith(message);
    }
}
