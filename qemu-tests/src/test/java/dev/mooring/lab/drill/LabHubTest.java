package dev.mooring.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.lab.HostCommand;
import dev.mooring.lab.LabException;
import dev.mooring.lab.LabNetwork;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.config.OverlayConfigLoader;
import dev.mooring.overlay.testing.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's hub with a stand-in for a machine: a namespace of its own whose {@code eth0} is a port of
 * the lab bridge (a veth instead of QEMU's tap), talking to the hub with curl exactly as first boot
 * and the overlay service do: register with a join token, heartbeat with the API key. Across a
 * network restart (dnsmasq moved to 203.0.113.0/24, the machine readdressed) the hub stays reachable
 * at the same URL and lists the machine's new external address with the same overlay address.
 */
@RequiresNetns
class LabHubTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMachineRegistersAndAfterANetworkRestartTheHubShowsItsNewExternalAddressWithTheSameOverlayAddress() throws Exception {
        assumeTrue(onPath("dnsmasq"), "the lab network needs dnsmasq (package dnsmasq-base)");
        assumeTrue(onPath("curl"), "the stand-in machine talks to the hub with curl (package curl)");
        long hubPid;
        try (LabNetwork net = LabNetwork.builder().start(); LabHub hub = LabHub.start(net)) {
            hubPid = hub.pid();
            assertThat(hub.endpoint()).hasToString("http://198.51.100.254:8443");

            LabHub.Cluster cluster = hub.createCluster(NodeUserData.CLUSTER, Cidr.parse(NodeUserData.OVERLAY_CIDR),
                    Ipv4Address.parse(NodeUserData.OVERLAY_VIP));
            assertThat(cluster.key()).isNotBlank();
            assertThat(cluster.vip()).hasToString(NodeUserData.OVERLAY_VIP);
            assertThat(hub.createCluster(NodeUserData.CLUSTER, Cidr.parse(NodeUserData.OVERLAY_CIDR))).as("the same cluster again")
                    .isEqualTo(cluster);
            assertThatThrownBy(() -> hub.createCluster(NodeUserData.CLUSTER, Cidr.parse("100.64.0.0/16")))
                    .isInstanceOf(LabException.class).hasMessageContaining("409").hasMessageContaining("fixed once the cluster exists");
            LabHub.JoinToken token = hub.joinToken(cluster.name());
            assertThat(token.token()).startsWith("mt_");
            assertThat(hub.hosts(cluster.name())).isEmpty();

            String machine = "mr-lhm-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
            try {
                plugIn(net, machine, "198.51.100.50");

                String machineId = "3d1219c7aa55aa55aa55aa55aa55aa55";
                JsonNode registered = curl(machine, "POST", hub.endpoint() + "/api/v1/register", token.token(),
                        "{\"machineId\":\"" + machineId + "\",\"hostname\":\"node1\",\"role\":\"control-plane\","
                                + "\"addresses\":[\"198.51.100.50\"],\"version\":\"lab\"}", 201);
                Ipv4Address overlay = Ipv4Address.parse(registered.path("address").asText());
                assertThat(Cidr.parse(NodeUserData.OVERLAY_CIDR).contains(overlay)).isTrue();
                assertThat(registered.path("cluster").path("key").asText()).isEqualTo(cluster.key());
                String hostId = registered.path("hostId").asText();
                String apiKey = registered.path("apiKey").asText();

                List<LabHub.Host> before = hub.hosts(cluster.name());
                assertThat(before).singleElement().satisfies(h -> {
                    assertThat(h.hostId()).isEqualTo(hostId);
                    assertThat(h.machineId()).isEqualTo(machineId);
                    assertThat(h.hostname()).isEqualTo("node1");
                    assertThat(h.role()).isEqualTo("control-plane");
                    assertThat(h.overlay()).isEqualTo(overlay);
                    assertThat(h.external()).contains(Ipv4Address.parse("198.51.100.50"));
                });

                // The network restart: the gateway moves to 203.0.113.1; the hub's URL must still answer.
                net.restart(LabNetwork.MOVED_SUBNET);
                inMachine(machine, "ip", "address", "flush", "dev", "eth0");
                address(machine, "203.0.113.50", "203.0.113.1");
                curl(machine, "POST", hub.endpoint() + "/api/v1/hosts/" + hostId + "/heartbeat", apiKey,
                        "{\"addresses\":[\"203.0.113.50\"],\"status\":\"ready\",\"vipHolder\":true}", 204);

                List<LabHub.Host> after = hub.hosts(cluster.name());
                assertThat(after).singleElement().satisfies(h -> {
                    assertThat(h.hostId()).isEqualTo(hostId);
                    assertThat(h.overlay()).as("overlay address across the restart").isEqualTo(overlay);
                    assertThat(h.underlay()).containsExactly(Ipv4Address.parse("203.0.113.50"));
                    assertThat(h.status()).isEqualTo("ready");
                    assertThat(h.vipHolder()).isTrue();
                    assertThat(h.lastSeen()).isAfterOrEqualTo(before.getFirst().lastSeen());
                });
                assertThatThrownBy(() -> hub.hosts("no-such-cluster")).isInstanceOf(LabException.class).hasMessageContaining("404");
            } finally {
                HostCommand.run("ip", "netns", "del", machine);
            }
        }
        assertThat(ProcessHandle.of(hubPid).filter(ProcessHandle::isAlive)).as("the hub after close").isEmpty();
    }

    /**
     * The real first boot with {@link NodeUserData#HUB_TEMPLATE}, in the stand-in machine's namespace
     * on a root directory: it registers at {@link LabHub#endpoint()} and writes the hub's address and a
     * {@code hub:} section into overlay.yaml, which is what makes the overlay use the hub's address.
     */
    @Test
    void firstBootWithTheHubTemplateRegistersAndTheOverlayGetsTheHubsAddress(@TempDir Path work) throws Exception {
        assumeTrue(onPath("dnsmasq"), "the lab network needs dnsmasq (package dnsmasq-base)");
        try (LabNetwork net = LabNetwork.builder().start(); LabHub hub = LabHub.start(net)) {
            LabHub.Cluster cluster = hub.createCluster(NodeUserData.CLUSTER, Cidr.parse(NodeUserData.OVERLAY_CIDR),
                    Ipv4Address.parse(NodeUserData.OVERLAY_VIP));
            LabHub.JoinToken token = hub.joinToken(cluster.name());
            String userData = NodeUserData.render(NodeUserData.HUB_TEMPLATE, Map.of("host", "node1", "index", "1", "bootstrap", "true",
                    "overlay", "true", "nodes", "3", "key", cluster.key(), "hub", hub.endpoint().toString(), "token", token.token()), true);

            Path root = Files.createDirectories(work.resolve("root"));
            Files.createDirectories(root.resolve("etc"));
            for (String file : List.of("passwd", "group", "shadow", "gshadow", "login.defs")) {
                Files.copy(Path.of("/etc", file), root.resolve("etc").resolve(file));
            }
            String machineId = HexFormat.of().formatHex(ThreadLocalRandom.current().ints(16, 0, 256)
                    .collect(java.io.ByteArrayOutputStream::new, java.io.ByteArrayOutputStream::write, (a, b) -> {}).toByteArray());
            Files.writeString(root.resolve("etc/machine-id"), machineId + "\n");
            Path seed = Files.createDirectories(work.resolve("seed"));
            Files.writeString(seed.resolve("user-data"), userData);
            Files.writeString(seed.resolve("meta-data"), "instance-id: iid-lab-hub-1\n");

            String machine = "mr-lhm-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
            try {
                plugIn(net, machine, "198.51.100.51");

                HostCommand.Result run = HostCommand.inNamespace(machine, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                        "dev.mooring.firstboot.cli.FirstbootCommand", "run", "--root", root.toString(), "--seed", seed.toString(),
                        "--media-wait", "0s", "--network-wait", "20s");
                assertThat(run.exitCode()).as("mooring firstboot run: %s %s", run.stdout(), run.stderr()).isZero();

                JsonNode status = JSON.readTree(Files.readString(root.resolve("run/mooring/firstboot.json")));
                assertThat(status.path("registration").path("state").asText()).as("firstboot.json: %s", status).isEqualTo("registered");
                Ipv4Address assigned = Ipv4Address.parse(status.path("registration").path("address").asText());

                assertThat(hub.hosts(cluster.name())).singleElement().satisfies(h -> {
                    assertThat(h.machineId()).isEqualTo(machineId);
                    assertThat(h.hostname()).isEqualTo("node1");
                    assertThat(h.overlay()).isEqualTo(assigned);
                    assertThat(h.underlay()).contains(Ipv4Address.parse("198.51.100.51"));
                });
                // overlay.yaml as the overlay service itself reads it: the hub's address, key and CIDR, and the hub section.
                Path overlayYaml = root.resolve("etc/mooring/overlay.yaml");
                OverlayConfig overlay = OverlayConfigLoader.parse(overlayYaml, Files.readString(overlayYaml), Optional.of(machineId));
                assertThat(overlay.overlay().address()).contains(assigned);
                assertThat(overlay.overlay().key().orElseThrow().toBase64()).isEqualTo(cluster.key());
                assertThat(overlay.overlay().cidr()).isEqualTo(cluster.cidr());
                assertThat(overlay.hub()).hasValueSatisfying(h -> assertThat(h.credentials()).hasToString("/var/lib/mooring/hub/credentials.json"));
                JsonNode credentials = JSON.readTree(Files.readString(root.resolve("var/lib/mooring/hub/credentials.json")));
                assertThat(credentials.path("url").asText()).isEqualTo(hub.endpoint().toString());
                assertThat(credentials.path("cluster").asText()).isEqualTo(NodeUserData.CLUSTER);
            } finally {
                HostCommand.run("ip", "netns", "del", machine);
            }
        }
    }

    /**
     * Makes the stand-in machine: namespace {@code machine} whose {@code eth0} is a port of the lab's
     * bridge, at {@code address} behind the lab's first gateway. The caller deletes the namespace.
     */
    private static void plugIn(LabNetwork net, String machine, String address) {
        String port = "lhm" + machine.substring(machine.length() - 6);
        HostCommand.run("ip", "netns", "add", machine).orThrow();
        net.exec("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", machine).orThrow();
        net.exec("ip", "link", "set", port, "master", "br0", "up").orThrow();
        inMachine(machine, "ip", "link", "set", "lo", "up");
        inMachine(machine, "ip", "link", "set", "eth0", "up");
        address(machine, address, "198.51.100.1");
    }

    private static void inMachine(String machine, String... command) {
        HostCommand.inNamespace(machine, command).orThrow();
    }

    private static void address(String machine, String address, String gateway) {
        inMachine(machine, "ip", "address", "add", address + "/24", "dev", "eth0");
        inMachine(machine, "ip", "route", "add", "default", "via", gateway);
    }

    /** One request from inside the machine's namespace; the answer's JSON (null for 204), after checking its status. */
    private static JsonNode curl(String machine, String method, String url, String bearer, String body, int expected) throws Exception {
        HostCommand.Result r = HostCommand.inNamespace(machine, "curl", "-sS", "--max-time", "30", "-X", method,
                "-H", "Authorization: Bearer " + bearer, "-H", "Content-Type: application/json", "--data-binary", body,
                "-w", "\n%{http_code}", url).orThrow();
        String out = r.stdout();
        int cut = out.lastIndexOf('\n');
        assertThat(out.substring(cut + 1).strip()).as("%s %s answered: %s", method, url, out).isEqualTo(String.valueOf(expected));
        String answer = out.substring(0, cut).strip();
        return answer.isEmpty() ? null : JSON.readTree(answer);
    }

    private static boolean onPath(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
