package dev.mooring.hub.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.hub.cli.HubCommand;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.cli.OverlayCommand;
import dev.mooring.overlay.testing.Eventually;
import dev.mooring.overlay.testing.NetnsLab;
import dev.mooring.overlay.testing.OverlayHosts;
import dev.mooring.overlay.testing.RequiresNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two overlay hosts on different subnets (198.51.100.0/24 and 203.0.113.0/24, routed by a third
 * namespace that also runs the hub), with discovery on but no static peers: broadcast announcements
 * do not cross subnets, so they cannot find each other until the hub's peer list names them. Then
 * discovery reaches them by unicast and the overlay carries a ping. A hub outage afterwards changes
 * nothing.
 */
@RequiresNetns
class OverlayThroughHubNetnsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void hostsWithoutBroadcastReachabilityFindEachOtherThroughTheHub() throws Exception {
        try (NetnsLab lab = NetnsLab.create(3)) {
            NetnsLab.Host h1 = lab.host(1);
            NetnsLab.Host h2 = lab.host(2);
            NetnsLab.Host router = lab.host(3);
            // h3 routes between the two subnets and runs the hub; h2 moves to the other subnet.
            exec(lab, router, "ip", "address", "add", "198.51.100.1/24", "dev", "eth0");
            exec(lab, router, "ip", "address", "add", "203.0.113.1/24", "dev", "eth0");
            exec(lab, router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            lab.changeUnderlayAddress(h2, Ipv4Address.parse("203.0.113.12"));

            Path data = temp.resolve("hub");
            Files.createDirectories(data);
            NetnsLab.Background hub = lab.start(router.namespace(), NetnsLab.javaCommand(HubCommand.class,
                    "--data", data.toString(), "--listen", "0.0.0.0:8443"));
            Eventually.within(Duration.ofSeconds(60), "the hub listens", () -> hub.output().contains("listening on"));
            String admin = Files.readString(data.resolve("admin-token")).trim();
            String base = "http://198.51.100.1:8443";
            String key = OverlayHosts.Settings.randomKey();
            post(lab, router, base + "/api/v1/clusters", admin, "{\"name\":\"via-hub\",\"cidr\":\"100.64.192.0/23\"}");
            String token = post(lab, router, base + "/api/v1/clusters/via-hub/tokens", admin, "{}").get("token").asText();

            // What first boot does: register, keep the credentials, put the hub's address in overlay.yaml.
            List<Path> credentials = new ArrayList<>();
            List<Path> statusFiles = new ArrayList<>();
            List<Ipv4Address> addresses = new ArrayList<>();
            List<NetnsLab.Background> services = new ArrayList<>();
            for (NetnsLab.Host h : List.of(h1, h2)) {
                JsonNode reg = post(lab, h, base + "/api/v1/register", token, "{\"machineId\":\"machine-" + h.number()
                        + "\",\"hostname\":\"h" + h.number() + "\",\"role\":\"worker\",\"addresses\":[\""
                        + lab.underlayAddress(h) + "\"],\"version\":\"test\"}");
                Ipv4Address address = Ipv4Address.parse(reg.get("address").asText());
                addresses.add(address);
                Path creds = temp.resolve("h" + h.number() + "-credentials.json");
                credentials.add(creds);
                Path status = temp.resolve("h" + h.number() + ".json");
                statusFiles.add(status);
                Path config = Files.writeString(temp.resolve("h" + h.number() + ".yaml"), """
                        cluster: via-hub
                        host: {name: h%d, id: machine-%d}
                        overlay: {cidr: 100.64.192.0/23, key: %s, address: %s, underlay: eth0}
                        metrics: off
                        state: %s
                        status: %s
                        hub: {credentials: %s, heartbeat: 1s}
                        """.formatted(h.number(), h.number(), key, address, temp.resolve("h" + h.number() + "-state"),
                        status, creds));
                // The credentials arrive later: first the hosts run without the hub.
                Files.writeString(temp.resolve("h" + h.number() + "-credentials.pending"), JSON.writeValueAsString(
                        java.util.Map.of("version", 1, "url", base, "cluster", "via-hub", "hostId", reg.get("hostId").asText(),
                                "apiKey", reg.get("apiKey").asText())));
                List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                command.addAll(OverlayHosts.JVM_FLAGS);
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), OverlayCommand.class.getName(),
                        "run", "--config", config.toString()));
                services.add(lab.start(h.namespace(), command));
            }
            for (int i = 0; i < 2; i++) {
                Path status = statusFiles.get(i);
                NetnsLab.Background svc = services.get(i);
                Eventually.within(Duration.ofSeconds(90), "h" + (i + 1) + " is ready", () -> {
                    if (!svc.isAlive()) {
                        throw new AssertionError("overlay exited:\n" + svc.output());
                    }
                    return Files.exists(status) && JSON.readTree(status.toFile()).path("state").asText().equals("ready");
                });
            }

            // Without the hub: broadcast does not cross subnets, so neither hears the other.
            Thread.sleep(2000);
            assertThat(JSON.readTree(statusFiles.get(0).toFile()).path("members")).as("h1's members without the hub").isEmpty();
            assertThat(ping(lab, h1, addresses.get(1))).as("ping h1 -> h2 without the hub").isFalse();

            // The credentials appear (first boot registered): the hub's peer list names the other host.
            for (int i = 0; i < 2; i++) {
                Files.move(temp.resolve("h" + (i + 1) + "-credentials.pending"), credentials.get(i));
            }
            Eventually.within(Duration.ofSeconds(60), "h1 and h2 hear each other through the hub's peers", () ->
                    members(statusFiles.get(0)).contains("machine-2") && members(statusFiles.get(1)).contains("machine-1"));
            Eventually.within(Duration.ofSeconds(30), "ping h1 -> h2 over the overlay", () -> ping(lab, h1, addresses.get(1)));
            assertThat(ping(lab, h2, addresses.get(0))).as("ping h2 -> h1").isTrue();

            // The hub saw the heartbeats: current underlay addresses in its host table.
            JsonNode hosts = get(lab, router, base + "/api/v1/clusters/via-hub/hosts", admin);
            assertThat(hosts.toString()).contains("203.0.113.12").contains("\"status\":\"ready\"");

            // A hub outage changes nothing in the overlay.
            hub.kill();
            Thread.sleep(3000);
            assertThat(ping(lab, h1, addresses.get(1))).as("ping h1 -> h2 with the hub down").isTrue();
            assertThat(services.get(0).isAlive()).isTrue();
            assertThat(services.get(0).output()).contains("hub: ");
        }
    }

    private static String members(Path status) throws IOException {
        return JSON.readTree(status.toFile()).path("members").toString();
    }

    private static boolean ping(NetnsLab lab, NetnsLab.Host from, Ipv4Address to) throws IOException {
        return lab.exec(from.namespace(), "ping", "-n", "-q", "-c", "1", "-W", "1", to.toString()).succeeded();
    }

    private static void exec(NetnsLab lab, NetnsLab.Host h, String... command) throws IOException {
        lab.exec(h.namespace(), command).orThrow();
    }

    private static JsonNode post(NetnsLab lab, NetnsLab.Host from, String url, String secret, String body) throws IOException {
        NetnsLab.Result r = lab.exec(from.namespace(), "curl", "-sS", "--fail-with-body", "-X", "POST", "-H",
                "Authorization: Bearer " + secret, "-H", "Content-Type: application/json", "--data", body, url).orThrow();
        return JSON.readTree(r.stdout());
    }

    private static JsonNode get(NetnsLab lab, NetnsLab.Host from, String url, String secret) throws IOException {
        NetnsLab.Result r = lab.exec(from.namespace(), "curl", "-sS", "--fail-with-body", "-H",
                "Authorization: Bearer " + secret, url).orThrow();
        return JSON.readTree(r.stdout());
    }
}
