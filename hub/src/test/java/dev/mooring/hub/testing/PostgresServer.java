package dev.mooring.hub.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL from Debian's package, in a temporary directory on a free loopback port, run
 * as the {@code postgres} user (it refuses root). {@link #close} stops it by its PID and removes
 * the directory.
 */
public final class PostgresServer implements AutoCloseable {

    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final int port;
    private final long pid;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path dir, int port, long pid) {
        this.dir = dir;
        this.port = port;
        this.pid = pid;
    }

    /** Why PostgreSQL cannot run here, if it cannot. */
    public static Optional<String> unavailable() {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            return Optional.of("PostgreSQL 15 is not installed (" + BIN + "/initdb); apt-get install postgresql (hub/packages.txt)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("starting PostgreSQL as the postgres user needs root (runuser); run the tests as root");
        }
        return Optional.empty();
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mooring-hub-pg");
        run(List.of("chown", "postgres:postgres", dir.toString()));
        Path data = dir.resolve("data");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try {
            asPostgres(BIN.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8");
            asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w",
                    "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
            return new PostgresServer(dir, port, pid);
        } catch (IOException | RuntimeException e) {
            String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
            deleteTree(dir);
            throw new IOException(e.getMessage() + "\n" + log, e);
        }
    }

    /** A new, empty database; its JDBC URL. */
    public String newDatabase() throws SQLException {
        String name = "hub_test_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
        } catch (IOException | RuntimeException e) {
            // Fall through to the PID.
        }
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        deleteTree(dir);
    }

    private static void asPostgres(String... command) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(List.of(command));
        run(c);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("mooring-hub-pg", ".out");
        try {
            // To a file, not a pipe: the server pg_ctl starts would keep a pipe open.
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
