package dev.mooring.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.hub.store.HostRecord;
import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.testing.HubClient;
import dev.mooring.hub.testing.HubClient.Reply;
import dev.mooring.hub.testing.HubProcess;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the hub (a child JVM on the embedded store) in the middle of a registration burst:
 * after a restart on the same data directory every registration the hub acknowledged is there
 * with the address it was given, and no address was given twice.
 */
class HubKillDurabilityTest {

    private static final int THREADS = 8;

    @TempDir
    Path temp;

    private record Acknowledged(String machineId, String hostId, String address) {}

    @Test
    void aKilledHubLosesNoAcknowledgedRegistrationAndNeverGivesAnAddressTwice() throws Exception {
        Path data = temp.resolve("data");
        Map<String, Acknowledged> acked = new ConcurrentHashMap<>();
        String token;
        for (int round = 0; round < 2; round++) {
            try (HubProcess hub = HubProcess.start(data, List.of())) {
                String admin = Files.readString(data.resolve("admin-token")).trim();
                HubClient client = new HubClient(hub.url());
                Reply cluster = client.post("/api/v1/clusters", admin, "{\"name\":\"burst\",\"cidr\":\"100.64.0.0/16\"}");
                assertThat(cluster.status()).as(cluster.toString()).isIn(200, 201);
                token = client.post("/api/v1/clusters/burst/tokens", admin, "{}").field("token");
                burstAndKill(hub, token, acked, round);
            }
        }
        assertThat(acked).as("acknowledged registrations").hasSizeGreaterThan(50);

        try (HubProcess hub = HubProcess.start(data, List.of())) {
            String admin = Files.readString(data.resolve("admin-token")).trim();
            Reply list = new HubClient(hub.url()).get("/api/v1/clusters/burst/hosts", admin);
            assertThat(list.status()).isEqualTo(200);
            Map<String, JsonNode> byMachine = new HashMap<>();
            Set<String> addresses = new HashSet<>();
            for (JsonNode h : list.json()) {
                byMachine.put(h.get("machineId").asText(), h);
                assertThat(addresses.add(h.get("overlay").asText())).as("address given twice: " + h).isTrue();
            }
            for (Acknowledged a : acked.values()) {
                JsonNode h = byMachine.get(a.machineId());
                assertThat(h).as("acknowledged registration of " + a.machineId() + " lost").isNotNull();
                assertThat(h.get("hostId").asText()).isEqualTo(a.hostId());
                assertThat(h.get("overlay").asText()).isEqualTo(a.address());
            }
            assertThat(hub.stop()).as("exit code after SIGTERM").isIn(0, 143);
        }
        // The store itself: every address ever given out once, every host's address among them.
        try (JdbcStore store = JdbcStore.sqlite(data)) {
            List<String> given = store.assignedAddresses("burst");
            assertThat(given).doesNotHaveDuplicates();
            for (HostRecord h : store.hosts("burst")) {
                assertThat(given).contains(h.overlay().toString());
            }
        }
    }

    /** Registers from several threads until some were acknowledged, then SIGKILLs the hub mid-burst. */
    private static void burstAndKill(HubProcess hub, String token, Map<String, Acknowledged> acked, int round)
            throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HubClient client = new HubClient(hub.url(), http);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ackedThisRound = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String machine = "r" + round + "-t" + thread + "-" + i;
                        try {
                            Reply r = client.post("/api/v1/register", token, "{\"machineId\":\"" + machine
                                    + "\",\"hostname\":\"" + machine + "\",\"role\":\"worker\",\"addresses\":[\"198.51.100.7\"],"
                                    + "\"version\":\"1\"}");
                            if (r.status() == 201) {
                                acked.put(machine, new Acknowledged(machine, r.field("hostId"), r.field("address")));
                                ackedThisRound.incrementAndGet();
                            }
                        } catch (AssertionError e) {
                            // The connection died with the hub: not acknowledged, so nothing is owed.
                            return;
                        }
                    }
                });
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (ackedThisRound.get() < 60 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // Mid-burst: the threads are still sending.
            hub.kill();
        } finally {
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }
}
