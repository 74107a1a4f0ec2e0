package dev.mooring.hub.store;

import dev.mooring.hub.api.ApiException;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;

/**
 * The store over JDBC: the same SQL for the embedded SQLite file and for PostgreSQL. SQLite gets
 * one connection (it has one writer anyway) in WAL mode with {@code synchronous=FULL}, so a commit
 * that returned is on disk; PostgreSQL gets a small pool and row locks on the cluster, which
 * serialise the address allocation of one cluster across hub instances.
 */
public final class JdbcStore implements Store {

    enum Dialect { SQLITE, POSTGRESQL }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException, ApiException;
    }

    private static final int POOL = 8;

    private final Dialect dialect;
    private final String url;
    private final Properties properties;
    /** Transactions that write. SQLite: one connection (it has one writer anyway). */
    private final Pool writers;
    /** Transactions that only read. SQLite in WAL mode: readers never wait for the writer. */
    private final Pool readers;
    private final String description;
    private volatile boolean closed;

    private JdbcStore(Dialect dialect, String url, Properties properties, int pool, String description) throws StoreException {
        this.dialect = dialect;
        this.url = url;
        this.properties = properties;
        this.writers = new Pool(dialect == Dialect.SQLITE ? 1 : pool);
        this.readers = dialect == Dialect.SQLITE ? new Pool(pool) : writers;
        this.description = description;
        try {
            Connection c = open();
            Migrations.apply(c);
            writers.idle.add(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open the hub store " + description + ": " + e.getMessage(), e);
        }
    }

    /** The embedded store: one SQLite file (plus its -wal and -shm) in {@code directory}. */
    public static JdbcStore sqlite(Path directory) throws StoreException {
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the data directory " + directory + ": " + e.getMessage(), e);
        }
        Path file = directory.resolve("hub.db");
        return new JdbcStore(Dialect.SQLITE, "jdbc:sqlite:" + file, new Properties(), 4, file.toString());
    }

    /** PostgreSQL at a JDBC URL ({@code jdbc:postgresql://host:port/db}); user and password in the properties or URL. */
    public static JdbcStore postgresql(String url, Properties properties) throws StoreException {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new StoreException("not a PostgreSQL JDBC URL: " + url + " (write jdbc:postgresql://HOST:PORT/DATABASE)", null);
        }
        return new JdbcStore(Dialect.POSTGRESQL, url, properties, POOL, url.replaceAll("password=[^&]*", "password=..."));
    }

    private Connection open() throws SQLException {
        Connection c = DriverManager.getConnection(url, properties);
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // FULL: the WAL is synced at every commit, so an acknowledged registration survives a power cut too.
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
            }
        }
        return c;
    }

    /** A bounded set of connections: at most as many transactions as connections at a time. */
    private static final class Pool {
        final int size;
        final Semaphore permits;
        final BlockingQueue<Connection> idle;

        Pool(int size) {
            this.size = size;
            this.permits = new Semaphore(size, true);
            this.idle = new ArrayBlockingQueue<>(size);
        }
    }

    private <T> T transaction(Work<T> work) throws StoreException, ApiException {
        return transaction(writers, work);
    }

    private <T> T transaction(Pool pool, Work<T> work) throws StoreException, ApiException {
        if (closed) {
            throw new StoreException("the hub store is closed", null);
        }
        Semaphore permits = pool.permits;
        BlockingQueue<Connection> idle = pool.idle;
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the hub store", e);
        }
        Connection c = null;
        boolean broken = false;
        try {
            c = idle.poll();
            if (c == null) {
                c = open();
            }
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | ApiException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    broken = true;
                }
                throw e;
            }
        } catch (SQLException e) {
            broken = broken || c == null || isConnectionFailure(e);
            throw new StoreException("the hub store " + description + " failed: " + e.getMessage(), e);
        } finally {
            if (c != null) {
                if (broken || closed || !idle.offer(c)) {
                    quietClose(c);
                }
            }
            permits.release();
        }
    }

    /** A transaction that only reads. */
    private <T> T read(Work<T> work) throws StoreException {
        try {
            return transaction(readers, work);
        } catch (ApiException e) {
            throw new IllegalStateException("a read refused a request", e);
        }
    }

    /** A transaction that writes and refuses nothing. */
    private <T> T write(Work<T> work) throws StoreException {
        try {
            return transaction(writers, work);
        } catch (ApiException e) {
            throw new IllegalStateException("a read refused a request", e);
        }
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("08");
    }

    private String forUpdate() {
        return dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    }

    // ---- clusters -------------------------------------------------------------------------------

    @Override
    public CreatedCluster createCluster(ClusterRecord cluster) throws StoreException {
        return write(c -> {
            Optional<ClusterRecord> existing = cluster(c, cluster.name(), false);
            if (existing.isPresent()) {
                return new CreatedCluster(existing.get(), false);
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO clusters (name, cidr, vip, vni, port, cluster_key,"
                    + " created, next_offset) VALUES (?, ?, ?, ?, ?, ?, ?, 1)")) {
                s.setString(1, cluster.name());
                s.setString(2, cluster.cidr().toString());
                s.setString(3, cluster.vip().toString());
                s.setInt(4, cluster.vni());
                s.setInt(5, cluster.port());
                s.setString(6, cluster.key());
                s.setLong(7, cluster.created().toEpochMilli());
                s.executeUpdate();
            }
            return new CreatedCluster(cluster, true);
        });
    }

    @Override
    public Optional<ClusterRecord> cluster(String name) throws StoreException {
        return read(c -> cluster(c, name, false));
    }

    private Optional<ClusterRecord> cluster(Connection c, String name, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT name, cidr, vip, vni, port, cluster_key, created FROM clusters"
                + " WHERE name = ?" + (lock ? forUpdate() : ""))) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(clusterOf(r)) : Optional.empty();
            }
        }
    }

    private static ClusterRecord clusterOf(ResultSet r) throws SQLException {
        return new ClusterRecord(r.getString("name"), Cidr.parse(r.getString("cidr")), Ipv4Address.parse(r.getString("vip")),
                r.getInt("vni"), r.getInt("port"), r.getString("cluster_key"), Instant.ofEpochMilli(r.getLong("created")));
    }

    @Override
    public List<ClusterSummary> clusters() throws StoreException {
        return read(c -> {
            List<ClusterSummary> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT name, cidr, vip, vni, port,"
                    + " cluster_key, created, (SELECT COUNT(*) FROM hosts h WHERE h.cluster = c.name) AS host_count"
                    + " FROM clusters c ORDER BY name")) {
                while (r.next()) {
                    out.add(new ClusterSummary(clusterOf(r), r.getInt("host_count")));
                }
            }
            return out;
        });
    }

    // ---- tokens ---------------------------------------------------------------------------------

    @Override
    public void createToken(TokenRecord token) throws StoreException {
        write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO tokens (id, cluster, hash, expires, uses_left,"
                    + " revoked, created) VALUES (?, ?, ?, ?, ?, 0, ?)")) {
                s.setString(1, token.id());
                s.setString(2, token.cluster());
                s.setString(3, token.hash());
                s.setLong(4, token.expires().toEpochMilli());
                if (token.usesLeft().isPresent()) {
                    s.setLong(5, token.usesLeft().getAsLong());
                } else {
                    s.setNull(5, java.sql.Types.BIGINT);
                }
                s.setLong(6, System.currentTimeMillis());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<TokenRecord> token(String id) throws StoreException {
        return read(c -> token(c, id, false));
    }

    private Optional<TokenRecord> token(Connection c, String id, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id, cluster, hash, expires, uses_left, revoked FROM tokens"
                + " WHERE id = ?" + (lock ? forUpdate() : ""))) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                long uses = r.getLong("uses_left");
                OptionalLong usesLeft = r.wasNull() ? OptionalLong.empty() : OptionalLong.of(uses);
                return Optional.of(new TokenRecord(r.getString("id"), r.getString("cluster"), r.getString("hash"),
                        Instant.ofEpochMilli(r.getLong("expires")), usesLeft, r.getInt("revoked") != 0));
            }
        }
    }

    @Override
    public boolean revokeToken(String cluster, String id) throws StoreException {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tokens SET revoked = 1 WHERE cluster = ? AND id = ?")) {
                s.setString(1, cluster);
                s.setString(2, id);
                return s.executeUpdate() == 1;
            }
        });
    }

    // ---- registration ---------------------------------------------------------------------------

    @Override
    public Registration.Outcome register(Registration reg) throws StoreException, ApiException {
        return transaction(c -> {
            TokenRecord token = token(c, reg.tokenId(), false)
                    .orElseThrow(() -> ApiException.unauthorized("the registration token is not known to this hub"));
            // The cluster row lock serialises every registration of the cluster (PostgreSQL; SQLite has one writer).
            ClusterRecord cluster = cluster(c, token.cluster(), true).orElseThrow();
            // Checked again inside the transaction: a token revoked or used up a moment ago is refused.
            token = token(c, reg.tokenId(), true).orElseThrow();
            checkUsable(token, reg.at());

            Optional<HostRecord> known = hostByMachine(c, cluster.name(), reg.machineId());
            if (known.isPresent()) {
                HostRecord h = known.get();
                try (PreparedStatement s = c.prepareStatement("UPDATE hosts SET hostname = ?, role = ?, underlay = ?,"
                        + " version = ?, key_hash = ?, last_seen = ? WHERE host_id = ?")) {
                    s.setString(1, reg.hostname());
                    s.setString(2, reg.role());
                    s.setString(3, String.join(",", reg.addresses()));
                    s.setString(4, reg.version());
                    s.setString(5, reg.keyHash());
                    s.setLong(6, reg.at().toEpochMilli());
                    s.setString(7, h.hostId());
                    s.executeUpdate();
                }
                return new Registration.Outcome(host(c, h.hostId()).orElseThrow(), cluster, false);
            }

            Ipv4Address address = reg.requested().isPresent()
                    ? claim(c, cluster, reg.requested().get())
                    : allocate(c, cluster);
            if (token.usesLeft().isPresent()) {
                try (PreparedStatement s = c.prepareStatement("UPDATE tokens SET uses_left = uses_left - 1 WHERE id = ?")) {
                    s.setString(1, token.id());
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO addresses (cluster, address, host_id, assigned)"
                    + " VALUES (?, ?, ?, ?)")) {
                s.setString(1, cluster.name());
                s.setString(2, address.toString());
                s.setString(3, reg.newHostId());
                s.setLong(4, reg.at().toEpochMilli());
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO hosts (host_id, cluster, machine_id, hostname, role,"
                    + " overlay, underlay, version, status, vip_holder, key_hash, registered, last_seen)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'registered', 0, ?, ?, ?)")) {
                s.setString(1, reg.newHostId());
                s.setString(2, cluster.name());
                s.setString(3, reg.machineId());
                s.setString(4, reg.hostname());
                s.setString(5, reg.role());
                s.setString(6, address.toString());
                s.setString(7, String.join(",", reg.addresses()));
                s.setString(8, reg.version());
                s.setString(9, reg.keyHash());
                s.setLong(10, reg.at().toEpochMilli());
                s.setLong(11, reg.at().toEpochMilli());
                s.executeUpdate();
            }
            return new Registration.Outcome(host(c, reg.newHostId()).orElseThrow(), cluster, true);
        });
    }

    private static void checkUsable(TokenRecord token, Instant now) throws ApiException {
        if (token.revoked()) {
            throw ApiException.unauthorized("the registration token " + token.id() + " was revoked; ask the cluster's"
                    + " administrator for a new one (POST /api/v1/clusters/" + token.cluster() + "/tokens)");
        }
        if (!now.isBefore(token.expires())) {
            throw ApiException.unauthorized("the registration token " + token.id() + " expired at " + token.expires()
                    + "; ask the cluster's administrator for a new one");
        }
        if (token.usesLeft().isPresent() && token.usesLeft().getAsLong() <= 0) {
            throw ApiException.unauthorized("the registration token " + token.id() + " has been used as often as it"
                    + " allows; ask the cluster's administrator for a new one");
        }
    }

    /** The next address never given out, counting up from the start of the CIDR, the VIP skipped. */
    private Ipv4Address allocate(Connection c, ClusterRecord cluster) throws SQLException, ApiException {
        long offset;
        try (PreparedStatement s = c.prepareStatement("SELECT next_offset FROM clusters WHERE name = ?")) {
            s.setString(1, cluster.name());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                offset = r.getLong(1);
            }
        }
        long last = cluster.cidr().size() - 2;
        Ipv4Address chosen = null;
        for (; offset <= last; offset++) {
            Ipv4Address candidate = cluster.cidr().network().plus(offset);
            if (!candidate.equals(cluster.vip()) && !taken(c, cluster.name(), candidate)) {
                chosen = candidate;
                offset++;
                break;
            }
        }
        if (chosen == null) {
            throw ApiException.conflict("the cluster " + cluster.name() + " has given out every address of its CIDR "
                    + cluster.cidr() + " (addresses of removed hosts are never reused); create a new cluster with a"
                    + " larger CIDR for further hosts");
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE clusters SET next_offset = ? WHERE name = ?")) {
            s.setLong(1, offset);
            s.setString(2, cluster.name());
            s.executeUpdate();
        }
        return chosen;
    }

    /** The address a host already uses, when it is a free host address of the CIDR. */
    private Ipv4Address claim(Connection c, ClusterRecord cluster, Ipv4Address wanted) throws SQLException, ApiException {
        if (!cluster.cidr().isUsableHost(wanted) || wanted.equals(cluster.vip())) {
            throw ApiException.conflict("overlayAddress " + wanted + " is not a host address of the cluster's CIDR "
                    + cluster.cidr() + " other than the VIP " + cluster.vip() + "; register without overlayAddress to get one");
        }
        if (taken(c, cluster.name(), wanted)) {
            throw ApiException.conflict("overlayAddress " + wanted + " was already given out in cluster " + cluster.name()
                    + "; register without overlayAddress to get a free one (the host then has to change its address)");
        }
        return wanted;
    }

    private static boolean taken(Connection c, String cluster, Ipv4Address address) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM addresses WHERE cluster = ? AND address = ?")) {
            s.setString(1, cluster);
            s.setString(2, address.toString());
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    // ---- hosts ----------------------------------------------------------------------------------

    private static final String HOST_COLUMNS = "host_id, cluster, machine_id, hostname, role, overlay, underlay, version,"
            + " status, vip_holder, key_hash, registered, last_seen";

    private static HostRecord hostOf(ResultSet r) throws SQLException {
        String underlay = r.getString("underlay");
        return new HostRecord(r.getString("host_id"), r.getString("cluster"), r.getString("machine_id"),
                r.getString("hostname"), r.getString("role"), Ipv4Address.parse(r.getString("overlay")),
                underlay.isEmpty() ? List.of() : Arrays.asList(underlay.split(",")), r.getString("version"),
                r.getString("status"), r.getInt("vip_holder") != 0, r.getString("key_hash"),
                Instant.ofEpochMilli(r.getLong("registered")), Instant.ofEpochMilli(r.getLong("last_seen")));
    }

    private static Optional<HostRecord> hostByMachine(Connection c, String cluster, String machineId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + HOST_COLUMNS + " FROM hosts WHERE cluster = ? AND machine_id = ?")) {
            s.setString(1, cluster);
            s.setString(2, machineId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(hostOf(r)) : Optional.empty();
            }
        }
    }

    private static Optional<HostRecord> host(Connection c, String hostId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + HOST_COLUMNS + " FROM hosts WHERE host_id = ?")) {
            s.setString(1, hostId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(hostOf(r)) : Optional.empty();
            }
        }
    }

    @Override
    public Optional<HostRecord> host(String hostId) throws StoreException {
        return read(c -> host(c, hostId));
    }

    @Override
    public List<HostRecord> hosts(String cluster) throws StoreException {
        return read(c -> {
            List<HostRecord> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + HOST_COLUMNS + " FROM hosts WHERE cluster = ? ORDER BY hostname, host_id")) {
                s.setString(1, cluster);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(hostOf(r));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public boolean removeHost(String cluster, String hostId) throws StoreException {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM hosts WHERE cluster = ? AND host_id = ?")) {
                s.setString(1, cluster);
                s.setString(2, hostId);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void heartbeats(List<Heartbeat> beats) throws StoreException {
        if (beats.isEmpty()) {
            return;
        }
        write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE hosts SET underlay = ?, status = ?, vip_holder = ?,"
                    + " last_seen = ? WHERE host_id = ?")) {
                for (Heartbeat b : beats) {
                    s.setString(1, String.join(",", b.addresses()));
                    s.setString(2, b.status());
                    s.setInt(3, b.vipHolder() ? 1 : 0);
                    s.setLong(4, b.at().toEpochMilli());
                    s.setString(5, b.hostId());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<String> assignedAddresses(String cluster) throws StoreException {
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT address FROM addresses WHERE cluster = ?")) {
                s.setString(1, cluster);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(r.getString(1));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void close() {
        closed = true;
        drain(writers);
        if (readers != writers) {
            drain(readers);
        }
    }

    /** Waits for running transactions to end, then closes every connection. */
    private static void drain(Pool pool) {
        pool.permits.acquireUninterruptibly(pool.size);
        try {
            Connection c;
            while ((c = pool.idle.poll()) != null) {
                quietClose(c);
            }
        } finally {
            pool.permits.release(pool.size);
        }
    }

    private static void quietClose(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Closing a broken connection: nothing left to do with it.
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
