package dev.mooring.k8s.render;

import dev.mooring.k8s.cluster.ClusterFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * kubeadm's configuration (API {@code kubeadm.k8s.io/v1beta4}, kubeadm 1.31 and later) for
 * {@code kubeadm init --upload-certs --config} on the bootstrap host and {@code kubeadm join --config}
 * on the others: the control-plane endpoint is the VIP, every advertise address and the kubelet's
 * {@code node-ip} are the overlay address.
 *
 * <p>etcd: kubeadm derives the stacked etcd's listen and advertise URLs from the local API
 * endpoint's advertise address, i.e. the overlay address. The explicit URLs go into a per-node
 * patch (a JSON patch on the etcd static pod, {@code patches.directory}), not into
 * {@code ClusterConfiguration.etcd.local.extraArgs}: the ClusterConfiguration is stored in the
 * cluster at init and reused by every control-plane node that joins, so node addresses there would
 * make the second node's etcd try to listen on the first node's address.
 */
final class KubeadmConfig {

    static final Path CONFIG = Path.of("/etc/kubernetes/mooring/kubeadm.yaml");
    static final Path PATCHES = Path.of("/etc/kubernetes/mooring/patches");
    static final String API_VERSION = "kubeadm.k8s.io/v1beta4";
    static final int API_PORT = 6443;
    /** v1beta4 is read by kubeadm 1.31 and later. */
    static final int OLDEST_MINOR = 31;
    private static final Pattern VERSION = Pattern.compile("v?1\\.(\\d+)\\.\\d+([-+.][0-9A-Za-z.+-]*)?");
    private static final Pattern BOOTSTRAP_TOKEN = Pattern.compile("[a-z0-9]{6}\\.[a-z0-9]{16}");

    private KubeadmConfig() {}

    static List<Rendered> render(PrepareInput in) throws PrepareException {
        ClusterFile c = in.cluster();
        OverlayView o = in.overlay();
        Optional<String> version = c.kubernetes().version();
        if (version.isPresent()) {
            Matcher m = VERSION.matcher(version.get());
            if (!m.matches()) {
                throw new PrepareException("kubernetes.version: '" + version.get() + "' is not a Kubernetes version for kubeadm "
                        + "(like v1.31.4) in /etc/mooring/cluster.yaml");
            }
            if (Integer.parseInt(m.group(1)) < OLDEST_MINOR) {
                throw new PrepareException("kubernetes.version: " + version.get() + " is older than v1." + OLDEST_MINOR
                        + "; mooring writes kubeadm's v1beta4 configuration, which kubeadm reads from v1." + OLDEST_MINOR
                        + " on. Use v1." + OLDEST_MINOR + " or later in /etc/mooring/cluster.yaml");
            }
        }
        String token = c.kubernetes().token().orElseThrow(() -> new PrepareException(
                "kubernetes.token: missing in /etc/mooring/cluster.yaml; kubeadm needs a join token shared by every host "
                        + "(a bootstrap token like abcdef.0123456789abcdef, or any secret: mooring derives one from it)"));
        String endpoint = o.vip() + ":" + API_PORT;
        String nodeIp = o.address().toString();
        Map<String, Object> nodeRegistration = new LinkedHashMap<>();
        nodeRegistration.put("name", c.host());
        nodeRegistration.put("kubeletExtraArgs", List.of(arg("node-ip", nodeIp)));
        Map<String, Object> localEndpoint = new LinkedHashMap<>();
        localEndpoint.put("advertiseAddress", nodeIp);
        localEndpoint.put("bindPort", API_PORT);
        Map<String, Object> patches = Map.of("directory", PATCHES.toString());

        List<String> documents = new ArrayList<>();
        String role;
        if (c.bootstrap()) {
            role = "kubeadm init --upload-certs --config " + CONFIG;
            Map<String, Object> init = header("InitConfiguration");
            init.put("bootstrapTokens", List.of(Map.of("token", bootstrapToken(token))));
            init.put("nodeRegistration", nodeRegistration);
            init.put("localAPIEndpoint", localEndpoint);
            init.put("certificateKey", certificateKey(token));
            init.put("patches", patches);
            documents.add(YamlText.of(init));
            Map<String, Object> cluster = header("ClusterConfiguration");
            cluster.put("clusterName", c.cluster());
            version.ifPresent(v -> cluster.put("kubernetesVersion", v.startsWith("v") ? v : "v" + v));
            cluster.put("controlPlaneEndpoint", endpoint);
            cluster.put("apiServer", Map.of("certSANs", List.of(o.vip().toString())));
            documents.add(YamlText.of(cluster));
        } else {
            role = "kubeadm join --config " + CONFIG;
            Map<String, Object> join = header("JoinConfiguration");
            join.put("nodeRegistration", nodeRegistration);
            Map<String, Object> bootstrap = new LinkedHashMap<>();
            bootstrap.put("apiServerEndpoint", endpoint);
            bootstrap.put("token", bootstrapToken(token));
            // The cluster file carries no CA hash (docs/contracts.md); see docs/k8s.md for what this trusts.
            bootstrap.put("unsafeSkipCAVerification", true);
            join.put("discovery", Map.of("bootstrapToken", bootstrap));
            if (c.isControlPlane()) {
                Map<String, Object> controlPlane = new LinkedHashMap<>();
                controlPlane.put("localAPIEndpoint", localEndpoint);
                controlPlane.put("certificateKey", certificateKey(token));
                join.put("controlPlane", controlPlane);
                join.put("patches", patches);
            }
            documents.add(YamlText.of(join));
        }
        String text = "# Written by mooring k8s prepare from /etc/mooring/cluster.yaml and /run/mooring/overlay.json;\n"
                + "# edits are overwritten. Run: " + role + "\n" + String.join("---\n", documents);
        List<Rendered> out = new ArrayList<>();
        out.add(new Rendered.File(CONFIG, text, 0600));
        if (c.isControlPlane()) {
            out.add(new Rendered.File(PATCHES.resolve("etcd+json.yaml"), etcdPatch(nodeIp), 0644));
        }
        out.add(DropIns.forUnit("kubelet.service"));
        return out;
    }

    /**
     * Appends etcd's URL flags on the overlay address to the etcd static pod's command (a flag given
     * twice takes its last value). kubeadm derives the same values from the advertise address; the
     * patch pins them on this node whatever kubeadm's defaults become.
     */
    private static String etcdPatch(String ip) {
        StringBuilder out = new StringBuilder("# Written by mooring k8s prepare: etcd on this node's overlay address.\n");
        for (String flag : List.of(
                "--listen-client-urls=https://127.0.0.1:2379,https://" + ip + ":2379",
                "--advertise-client-urls=https://" + ip + ":2379",
                "--listen-peer-urls=https://" + ip + ":2380",
                "--initial-advertise-peer-urls=https://" + ip + ":2380")) {
            out.append("- op: add\n  path: /spec/containers/0/command/-\n  value: ").append(YamlText.quote(flag)).append('\n');
        }
        return out.toString();
    }

    private static Map<String, Object> header(String kind) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", API_VERSION);
        doc.put("kind", kind);
        return doc;
    }

    private static Map<String, Object> arg(String name, String value) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("name", name);
        a.put("value", value);
        return a;
    }

    /**
     * The cluster token when it already is a kubeadm bootstrap token ({@code [a-z0-9]{6}.[a-z0-9]{16}}),
     * otherwise one derived from it (SHA-256), so every host computes the same.
     */
    static String bootstrapToken(String token) {
        if (BOOTSTRAP_TOKEN.matcher(token).matches()) {
            return token;
        }
        byte[] h = sha256("mooring kubeadm bootstrap token\0" + token);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 22; i++) {
            out.append(alphabet.charAt(Byte.toUnsignedInt(h[i]) % alphabet.length()));
        }
        return out.substring(0, 6) + "." + out.substring(6);
    }

    /** The key {@code --upload-certs} encrypts the control-plane certificates with (hex of 32 bytes), derived from the token. */
    static String certificateKey(String token) {
        return HexFormat.of().formatHex(sha256("mooring kubeadm certificate key\0" + token));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
