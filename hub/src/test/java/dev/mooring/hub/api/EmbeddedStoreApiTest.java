package dev.mooring.hub.api;

import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The API suite on the embedded store (SQLite in a temporary directory). */
class EmbeddedStoreApiTest extends HubApiContract {

    @TempDir
    Path temp;
    private Path current;
    private int n;

    @Override
    protected Store openStore(boolean fresh) throws Exception {
        if (fresh || current == null) {
            current = temp.resolve("data-" + n++);
        }
        return JdbcStore.sqlite(current);
    }
}
