package dev.mooring.hub.api;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.store.Store;
import dev.mooring.hub.testing.PostgresServer;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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

    @Override
    protected Store openStore(boolean fresh) throws Exception {
        if (fresh || current == null) {
            current = server.newDatabase();
        }
        return JdbcStore.postgresql(current, new Properties());
    }
}
