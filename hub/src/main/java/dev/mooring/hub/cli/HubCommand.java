package dev.mooring.hub.cli;

import dev.mooring.hub.api.HeartbeatBuffer;
import dev.mooring.hub.api.HubApi;
import dev.mooring.hub.api.Secrets;
import dev.mooring.hub.http.HubServer;
import dev.mooring.hub.store.JdbcStore;
import dev.mooring.hub.store.Store;
import dev.mooring.hub.store.StoreException;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mooring hub}: the registration server. Runs until SIGTERM/SIGINT; on a clean stop the
 * buffered heartbeats are written before the store closes.
 */
@Command(name = "hub", mixinStandardHelpOptions = true,
        description = {"Runs the Mooring hub: hosts register with a token and get their overlay address;"
                + " the page at / shows every cluster's hosts. See docs/hub.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or SIGINT", "1:a file named on the command line is missing or wrong",
                "2:usage error", "3:the store or the listening socket failed"})
public final class HubCommand implements Callable<Integer> {

    /** The environment variable holding the PostgreSQL password (never on the command line: ps shows it). */
    public static final String DATABASE_PASSWORD_ENV = "MOORING_HUB_DATABASE_PASSWORD";

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "The hub's directory: the embedded store (hub.db) and the generated admin token.")
    Path data;

    @Option(names = "--listen", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:8443",
            description = "Where to listen (default ${DEFAULT-VALUE}); 0.0.0.0:8443 for every interface.")
    String listen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain; with --tls-key the hub speaks HTTPS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8 or PKCS#1, unencrypted).")
    Path tlsKey;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "The admin token; default DIR/admin-token, generated (mode 0600) when missing.")
    Path adminTokenFile;

    @Option(names = "--database", paramLabel = "JDBC-URL",
            description = "PostgreSQL instead of the embedded store, e.g. jdbc:postgresql://db:5432/mooring?user=hub"
                    + " (password in $" + DATABASE_PASSWORD_ENV + ").")
    String database;

    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        System.exit(new CommandLine(new HubCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> log = line -> {
            err.println("mooring-hub: " + line);
            err.flush();
        };
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--tls-cert and --tls-key go together: give both for HTTPS, or neither for plain HTTP");
        }
        InetSocketAddress address = listenAddress();
        Optional<SslContext> tls;
        String adminHash;
        Path tokenFile = adminTokenFile != null ? adminTokenFile : data.resolve("admin-token");
        try {
            tls = tlsCert == null ? Optional.empty() : Optional.of(HubServer.tls(tlsCert, tlsKey));
            adminHash = Secrets.hash(adminToken(tokenFile, adminTokenFile == null, log));
        } catch (IOException e) {
            log.accept(e.getMessage());
            return 1;
        }
        Store store;
        try {
            store = database == null ? JdbcStore.sqlite(data) : JdbcStore.postgresql(database, databaseProperties());
        } catch (StoreException e) {
            log.accept(e.getMessage());
            return 3;
        }
        HeartbeatBuffer beats = new HeartbeatBuffer(store, Duration.ofSeconds(1), log);
        HubApi api = new HubApi(store, adminHash, beats, Clock.systemUTC(), log);
        HubServer server;
        try {
            server = HubServer.start(address, tls, api, log);
        } catch (IOException e) {
            log.accept(e.getMessage());
            beats.close();
            store.close();
            return 3;
        }
        Thread hook = new Thread(() -> {
            server.close();
            beats.close();
            store.close();
            log.accept("stopped");
            stopped.countDown();
        }, "mooring-hub-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("mooring-hub: listening on " + server.url() + " (store: " + store + "); admin token in " + tokenFile);
        out.flush();
        try {
            server.awaitClose();
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private InetSocketAddress listenAddress() {
        int colon = listen.lastIndexOf(':');
        String host = colon < 0 ? "" : listen.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
        String port = colon < 0 ? "" : listen.substring(colon + 1);
        if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen '" + listen
                    + "': write ADDRESS:PORT, e.g. 0.0.0.0:8443 or 127.0.0.1:8443");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen '" + listen + "': unknown address " + host);
        }
    }

    private static Properties databaseProperties() {
        Properties p = new Properties();
        String password = System.getenv(DATABASE_PASSWORD_ENV);
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** Reads the admin token, or creates one (0600, written whole) when the default file is missing. */
    static String adminToken(Path file, boolean generate, Consumer<String> log) throws IOException {
        if (!Files.exists(file)) {
            if (!generate) {
                throw new IOException("--admin-token-file " + file + " does not exist; write a long random token into"
                        + " it (e.g. head -c 32 /dev/urandom | base64 > " + file + "; chmod 600 " + file + ")");
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            String token = "ma_" + Secrets.secret();
            Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(owner));
                Files.writeString(temp, token + "\n", StandardCharsets.US_ASCII, StandardOpenOption.SYNC);
                Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("cannot create the admin token: " + temp + " exists; remove it and start again", e);
            } finally {
                Files.deleteIfExists(temp);
            }
            log.accept("generated an admin token into " + file + " (mode 0600) at " + Instant.now());
            return token;
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IOException("the admin token in " + file + " must be one line of at least 16 printable characters"
                    + " without spaces; e.g. head -c 32 /dev/urandom | base64 > " + file);
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                log.accept("warning: " + file + " is readable by others (" + PosixFilePermissions.toString(mode)
                        + "); chmod 600 " + file);
            }
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
        return token;
    }
}
