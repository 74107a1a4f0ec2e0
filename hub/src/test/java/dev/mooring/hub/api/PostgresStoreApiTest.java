package dev.mooring.hub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.store.Store;
import dev.mooring.hub.testing.HubClient.Reply;
import dev.mooring.hub.testing.HubFixture;
import dev.mooring.hub.testing.PostgresServer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API suite on a real PostgreSQL 15 (Debian's package) that the test starts in a temporary
 * directory; skipped, saying why, where it cannot run.
 */
class PostgresStoreApiTest extends HubApiContract {

    private static PostgresServer server;
    private String current;

    @BeforeAll
    static void startPostgres() throws Exception {
        Optional<String> why = PostgresServer.unavailable();
        assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElseThrow());
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Two hubs on one database (behind a load balancer): concurrent registrations through both. */
    @Test
    void twoHubsOnOneDatabaseNeverGiveAnAddressTwice() throws Exception {
        String url = server.newDatabase();
        try (HubFixture a = new HubFixture(JdbcStore.postgresql(url, new Properties()));
             HubFixture b = new HubFixture(JdbcStore.postgresql(url, new Properties()))) {
            a.cluster("shared", "100.64.192.0/23");
            String token = a.token("shared", "{}");
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<Reply>> replies = IntStream.range(0, 80).mapToObj(i -> pool.submit(() ->
                        (i % 2 == 0 ? a : b).register(token, "m" + (i % 40), "h" + (i % 40), "198.51.100.1"))).toList();
                Map<String, String> byMachine = new HashMap<>();
                for (Future<Reply> f : replies) {
                    Reply r = f.get();
                    assertThat(r.status()).as(r.toString()).isIn(200, 201);
                    String before = byMachine.putIfAbsent(r.field("hostId"), r.field("address"));
                    assertThat(before == null || before.equals(r.field("address"))).isTrue();
                }
                assertThat(byMachine).hasSize(40);
                assertThat(new HashSet<>(byMachine.values())).hasSize(40);
                assertThat(a.store.assignedAddresses("shared")).hasSize(40);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Override
    protected Store openStore(boolean fresh) throws Exception {
        if (fresh || current == null) {
            current = server.newDatabase();
        }
        return JdbcStore.postgresql(current, new Properties());
    }
}
