package dev.mooring.hub.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema, as numbered steps. A store applies the steps newer than the version it finds in
 * {@code schema_version}, each in its own transaction, and refuses a database written by a newer
 * hub. Steps are only ever appended: a released step never changes. The SQL is the common subset
 * of SQLite and PostgreSQL (TEXT, BIGINT, INTEGER used as boolean, times in epoch milliseconds).
 */
final class Migrations {

    record Step(int version, String description, List<String> statements) {}

    static final List<Step> STEPS = List.of(
            new Step(1, "clusters, tokens, hosts, addresses", List.of(
                    """
                    CREATE TABLE clusters (
                      name TEXT PRIMARY KEY, cidr TEXT NOT NULL, vip TEXT NOT NULL, vni INTEGER NOT NULL,
                      port INTEGER NOT NULL, cluster_key TEXT NOT NULL, created BIGINT NOT NULL,
                      next_offset BIGINT NOT NULL)""",
                    """
                    CREATE TABLE tokens (
                      id TEXT PRIMARY KEY, cluster TEXT NOT NULL REFERENCES clusters(name), hash TEXT NOT NULL,
                      expires BIGINT NOT NULL, uses_left BIGINT, revoked INTEGER NOT NULL, created BIGINT NOT NULL)""",
                    """
                    CREATE TABLE hosts (
                      host_id TEXT PRIMARY KEY, cluster TEXT NOT NULL REFERENCES clusters(name),
                      machine_id TEXT NOT NULL, hostname TEXT NOT NULL, role TEXT NOT NULL, overlay TEXT NOT NULL,
                      underlay TEXT NOT NULL, version TEXT NOT NULL, status TEXT NOT NULL, vip_holder INTEGER NOT NULL,
                      key_hash TEXT NOT NULL, registered BIGINT NOT NULL, last_seen BIGINT NOT NULL,
                      UNIQUE (cluster, machine_id), UNIQUE (cluster, overlay))""",
                    // Every address ever given out, never deleted: the last line of defence against reuse.
                    """
                    CREATE TABLE addresses (
                      cluster TEXT NOT NULL REFERENCES clusters(name), address TEXT NOT NULL, host_id TEXT NOT NULL,
                      assigned BIGINT NOT NULL, PRIMARY KEY (cluster, address))""")));

    static final int LATEST = STEPS.getLast().version();

    private Migrations() {}

    /** Brings the schema to {@link #LATEST}; returns the version found before. */
    static int apply(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied BIGINT NOT NULL)");
            }
            c.commit();
            int found = current(c);
            if (found > LATEST) {
                throw new SQLException("the hub database has schema version " + found + " but this hub knows only up to "
                        + LATEST + ": it was written by a newer hub; run that version (downgrades are not supported)");
            }
            for (Step step : STEPS) {
                if (step.version() <= found) {
                    continue;
                }
                try (Statement s = c.createStatement()) {
                    for (String sql : step.statements()) {
                        s.execute(sql);
                    }
                    s.execute("INSERT INTO schema_version (version, applied) VALUES (" + step.version() + ", "
                            + System.currentTimeMillis() + ")");
                }
                c.commit();
            }
            return found;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static int current(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            r.next();
            return r.getInt(1);
        }
    }
}
