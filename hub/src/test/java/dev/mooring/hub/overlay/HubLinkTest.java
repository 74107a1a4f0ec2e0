package dev.mooring.hub.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.testing.HubClient.Reply;
import dev.mooring.hub.testing.HubFixture;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.config.OverlayConfig;
import dev.mooring.overlay.hub.HubLink;
import dev.mooring.overlay.hub.HubPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay's hub link against a real hub in this JVM: heartbeats land in the host table, the
 * peer list names the other hosts, and an unreachable hub or missing credentials change nothing
 * but a log line.
 */
class HubLinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void heartbeatsReachTheHubAndPeersComeBackAndAnOutageKeepsThem() throws Exception {
        Path credentials = temp.resolve("credentials.json");
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicInteger changes = new AtomicInteger();
        Path cache = temp.resolve("state/hub-peers.json");
        HubLink link = new HubLink(new OverlayConfig.Hub(credentials, Duration.ofSeconds(1)), java.util.Optional.of(cache),
                "store-1", () -> new HubLink.Report(List.of(Ipv4Address.parse("203.0.113.11")), "ready", true),
                changes::incrementAndGet, log::add);
        HubFixture hub = new HubFixture(JdbcStore.sqlite(temp.resolve("data")));
        try {
            // No credentials yet: logged once, nothing else.
            link.round();
            link.round();
            assertThat(log).hasSize(1);
            assertThat(log.getFirst()).contains("has not registered").contains("keeps its last peer list");
            assertThat(link.peers()).isEmpty();

            hub.cluster("store-1", "100.64.192.0/23");
            String token = hub.token("store-1", "{}");
            Reply self = hub.register(token, "machine-1", "h1", "198.51.100.11");
            Reply other = hub.register(token, "machine-2", "h2", "198.51.100.12");
            Files.writeString(credentials, JSON.writeValueAsString(Map.of("version", 1, "url", hub.url(), "cluster", "store-1",
                    "hostId", self.field("hostId"), "apiKey", self.field("apiKey"))));

            link.round();
            assertThat(link.peers()).extracting(HubPeer::hostname).containsExactly("h2");
            assertThat(link.peers().getFirst().overlay().toString()).isEqualTo(other.field("address"));
            assertThat(link.peers().getFirst().underlay()).containsExactly(Ipv4Address.parse("198.51.100.12"));
            assertThat(changes.get()).isEqualTo(1);
            JsonNode h1 = hub.client.get("/api/v1/clusters/store-1/hosts", hub.adminToken).json().get(0);
            assertThat(h1.get("underlay").get(0).asText()).isEqualTo("203.0.113.11");
            assertThat(h1.get("vipHolder").asBoolean()).isTrue();
            assertThat(h1.get("status").asText()).isEqualTo("ready");
            link.round();
            assertThat(changes.get()).as("an unchanged list is no change").isEqualTo(1);
            assertThat(String.join("\n", log)).doesNotContain(self.field("apiKey"));
        } finally {
            hub.close();
        }
        // The hub is gone: the peers stay, the error is logged once.
        int before = log.size();
        link.round();
        link.round();
        assertThat(link.peers()).extracting(HubPeer::hostname).containsExactly("h2");
        assertThat(log).hasSize(before + 1);
        assertThat(log.getLast()).contains("keeps its last peer list (1 peers)");
        link.close();

        // A restart while the hub is down starts with the saved list.
        HubLink restarted = new HubLink(new OverlayConfig.Hub(credentials, Duration.ofSeconds(1)), java.util.Optional.of(cache),
                "store-1", () -> new HubLink.Report(List.of(), "ready", false), () -> { }, log::add);
        assertThat(restarted.peers()).isEqualTo(link.peers());
        restarted.round();
        assertThat(restarted.peers()).extracting(HubPeer::hostname).containsExactly("h2");
        restarted.close();
    }

    @Test
    void credentialsOfAnotherClusterAreNotUsed() throws Exception {
        Path credentials = Files.writeString(temp.resolve("credentials.json"), "{\"version\":1,\"url\":\"http://127.0.0.1:9\","
                + "\"cluster\":\"other\",\"hostId\":\"h-1\",\"apiKey\":\"mk_h-1.x\"}");
        List<String> log = new CopyOnWriteArrayList<>();
        HubLink link = new HubLink(new OverlayConfig.Hub(credentials, Duration.ofSeconds(1)), "store-1",
                () -> new HubLink.Report(List.of(), "ready", false), () -> { }, log::add);
        link.round();
        assertThat(log).singleElement().asString().contains("is for cluster 'other'");
        link.close();
    }
}
