package dev.mooring.k8s.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every k3s key and kubeadm field prepare writes is one the documentation of the pinned version
 * defines. The allowed lists, with their sources (repository, path, commit) in a header comment,
 * are test resources under {@code documented/}: k3s's server and agent CLI help
 * (k3s-io/docs docs/cli/server.md, agent.md) and kubeadm's v1beta4 Go types (kubernetes/kubernetes
 * cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go).
 */
class DocumentedKeysTest {

    static List<Cases.Case> k3s() {
        return Cases.all().stream().filter(c -> c.name().startsWith("k3s")).toList();
    }

    static List<Cases.Case> kubeadm() {
        return Cases.all().stream().filter(c -> c.name().startsWith("kubeadm")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("k3s")
    void k3sKeysAreDocumentedFlags(Cases.Case c) throws Exception {
        Set<String> allowed = new HashSet<>(list("k3s-agent-flags.txt"));
        if (c.input().cluster().isControlPlane()) {
            allowed.addAll(list("k3s-server-flags.txt"));
        }
        Map<String, Object> config = new Yaml().load(file(c, K3sConfig.CONFIG.toString()));
        assertThat(config.keySet()).as("keys of %s", K3sConfig.CONFIG).isNotEmpty().isSubsetOf(allowed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kubeadm")
    void kubeadmFieldsAreDefinedByV1beta4(Cases.Case c) throws Exception {
        Set<String> allowed = new HashSet<>(list("kubeadm-v1beta4-fields.txt"));
        Set<String> written = new LinkedHashSet<>();
        for (Object doc : new Yaml().loadAll(file(c, KubeadmConfig.CONFIG.toString()))) {
            @SuppressWarnings("unchecked") Map<String, Object> map = (Map<String, Object>) doc;
            assertThat(map.get("apiVersion")).isEqualTo("kubeadm.k8s.io/v1beta4");
            paths(String.valueOf(map.get("kind")) + " ", "", map, written);
        }
        assertThat(written).as("fields of %s", KubeadmConfig.CONFIG).isNotEmpty().isSubsetOf(allowed);
    }

    @Test
    void theListsAreTheDocumentedOnesNotAnythingGoes() throws IOException {
        // k3s has no flag for flannel's VXLAN port (hence flannel-conf); v1beta4 has list-style extraArgs, not maps.
        assertThat(list("k3s-server-flags.txt")).contains("flannel-conf", "cluster-init").doesNotContain("flannel-port");
        assertThat(list("k3s-agent-flags.txt")).contains("flannel-conf").doesNotContain("cluster-init", "tls-san");
        assertThat(list("kubeadm-v1beta4-fields.txt")).contains("InitConfiguration nodeRegistration.kubeletExtraArgs[].name")
                .doesNotContain("ClusterConfiguration apiServer.timeoutForControlPlane");
    }

    /** Adds {@code kind path} for every field under {@code node}; list elements are {@code name[]}. */
    private static void paths(String kind, String prefix, Object node, Set<String> out) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String path = prefix.isEmpty() ? e.getKey().toString() : prefix + "." + e.getKey();
                out.add(kind + path);
                paths(kind, path, e.getValue(), out);
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?>) {
                    paths(kind, prefix + "[]", item, out);
                }
            }
        }
    }

    private static String file(Cases.Case c, String path) throws PrepareException {
        return Renderer.render(c.input()).stream().filter(r -> r.path().toString().equals(path))
                .map(r -> ((Rendered.File) r).content()).findFirst().orElseThrow(() -> new AssertionError(c + " renders no " + path));
    }

    static List<String> list(String name) throws IOException {
        try (InputStream in = DocumentedKeysTest.class.getResourceAsStream("/documented/" + name)) {
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    out.add(l);
                }
            }
            return out;
        }
    }
}
