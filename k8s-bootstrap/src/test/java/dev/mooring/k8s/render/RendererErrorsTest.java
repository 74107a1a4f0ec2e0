package dev.mooring.k8s.render;

import static dev.mooring.k8s.cluster.ClusterFile.Distribution.ETCD;
import static dev.mooring.k8s.cluster.ClusterFile.Distribution.K3S;
import static dev.mooring.k8s.cluster.ClusterFile.Distribution.KUBEADM;
import static dev.mooring.k8s.cluster.ClusterFile.Role.CONTROL_PLANE;
import static dev.mooring.k8s.cluster.ClusterFile.Role.WORKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mooring.k8s.testing.Fixtures;
import dev.mooring.overlay.address.Ipv4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Inputs that must not render: each error says what is wrong and what to do. */
class RendererErrorsTest {

    private static final PrepareInput.EtcdData DATA = new PrepareInput.EtcdData(Path.of("/var/lib/etcd/default"), false);

    private static PrepareInput input(String host, dev.mooring.k8s.cluster.ClusterFile.Role role, boolean bootstrap,
                                      dev.mooring.k8s.cluster.ClusterFile.Distribution d, Optional<String> version,
                                      Optional<String> token, int count, List<String> others) {
        return new PrepareInput(Fixtures.cluster(host, role, bootstrap, d, version, token, count),
                OverlayView.of(Fixtures.status(host, "ready", others)), DATA);
    }

    @Test
    void aJoiningK3sHostNeedsTheToken() {
        assertThatThrownBy(() -> Renderer.render(input("h4", WORKER, false, K3S, Optional.empty(), Optional.empty(), 1, List.of("h1"))))
                .isInstanceOf(PrepareException.class).hasMessageContaining("kubernetes.token: missing");
    }

    @Test
    void theFirstK3sServerMayLetK3sGenerateTheToken() throws Exception {
        List<Rendered> r = Renderer.render(input("h1", CONTROL_PLANE, true, K3S, Optional.empty(), Optional.empty(), 1, List.of()));
        assertThat(((Rendered.File) r.getFirst()).content()).contains("cluster-init: true").doesNotContain("token");
    }

    @Test
    void kubeadmBeforeV1beta4IsRefused() {
        assertThatThrownBy(() -> Renderer.render(input("h1", CONTROL_PLANE, true, KUBEADM, Optional.of("v1.30.2"), Optional.of("t"), 1, List.of())))
                .isInstanceOf(PrepareException.class).hasMessageContaining("v1.30.2 is older than v1.31");
        assertThatThrownBy(() -> Renderer.render(input("h1", CONTROL_PLANE, true, KUBEADM, Optional.of("latest"), Optional.of("t"), 1, List.of())))
                .isInstanceOf(PrepareException.class).hasMessageContaining("is not a Kubernetes version for kubeadm");
    }

    @Test
    void anyTokenBecomesTheSameKubeadmBootstrapTokenOnEveryHost() {
        String derived = KubeadmConfig.bootstrapToken("K10-join-token");
        assertThat(derived).matches("[a-z0-9]{6}\\.[a-z0-9]{16}").isEqualTo(KubeadmConfig.bootstrapToken("K10-join-token"))
                .isNotEqualTo(KubeadmConfig.bootstrapToken("K10-join-tokeN"));
        assertThat(KubeadmConfig.bootstrapToken("abcdef.0123456789abcdef")).isEqualTo("abcdef.0123456789abcdef");
        assertThat(KubeadmConfig.certificateKey("K10-join-token")).matches("[0-9a-f]{64}");
    }

    @Test
    void moreControlPlaneHostsThanConfiguredIsRefused() {
        assertThatThrownBy(() -> Renderer.render(input("h1", CONTROL_PLANE, true, ETCD, Optional.empty(), Optional.empty(), 1, List.of("h2"))))
                .isInstanceOf(PrepareException.class)
                .hasMessageContaining("knows 2 control-plane hosts (h1 100.64.192.11, h2 100.64.192.12) but kubernetes.control-plane-count is 1");
    }

    @Test
    void aStatusFileOfAnotherHostIsRefused() {
        PrepareInput in = new PrepareInput(Fixtures.cluster("h2", CONTROL_PLANE, false, K3S, Optional.empty(), Optional.of("t"), 1),
                OverlayView.of(Fixtures.status("h1", "ready", List.of())), DATA);
        assertThatThrownBy(() -> Renderer.render(in)).isInstanceOf(PrepareException.class)
                .hasMessageContaining("is for host 'h2' but the overlay status is host 'h1'");
    }

    @Test
    void anOverlayOnFlannelsPortIsRefusedForK3s() {
        OverlayView v = OverlayView.of(Fixtures.status("h1", "ready", List.of()));
        OverlayView on8472 = new OverlayView(v.state(), v.host(), v.role(), v.address(), v.vip(), 8472, v.controlPlanes());
        PrepareInput in = new PrepareInput(Fixtures.cluster("h1", CONTROL_PLANE, true, K3S, Optional.empty(), Optional.of("t"), 1), on8472, DATA);
        assertThatThrownBy(() -> Renderer.render(in)).isInstanceOf(PrepareException.class).hasMessageContaining("flannel's port");
    }

    @Test
    void tentativeMembersDoNotCount() {
        OverlayView v = OverlayView.of(Fixtures.status("h1", "ready", List.of("h2", "h3", "h4")));
        assertThat(v.controlPlanes()).extracting(OverlayView.Member::host).containsExactly("h1", "h2", "h3");
        assertThat(v.controlPlanes()).extracting(OverlayView.Member::address).isSortedAccordingTo(Ipv4Address::compareTo);
    }
}
