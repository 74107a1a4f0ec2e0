package dev.mooring.runtime.aot;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code mooring hub} over HTTPS for the service's training, in the training's private
 * network namespace, so the trained {@code overlay run} talks to a hub as a registered device does:
 * the TLS handshake and the heartbeat's request and answer are real, and the service's cache holds
 * the TLS stack's classes (without them a hub-managed service loads about 950 classes from the
 * runtime and spins about 500 more at its first heartbeat: about 5 MiB more RSS). The hub does not
 * know the training host, so it answers 401, which the service reports and retries.
 *
 * <p>The certificate and key in this jar ({@code training-hub.pem}, for 127.0.0.1, valid until
 * 2126) are public and protect nothing: they only make the handshake real. The hub runs as a child
 * process with every jar of {@code lib/} and is stopped, by its PID, when the training ends.
 */
final class TrainingHub implements AutoCloseable {

    static final String ADDRESS = "127.0.0.1";
    static final int PORT = 8443;
    private static final long LISTENING_WITHIN_MILLIS = 60_000;

    private final Process process;
    private final Path credentials;

    private TrainingHub(Process process, Path credentials) {
        this.process = process;
        this.credentials = credentials;
    }

    /** The credentials file a hub-managed overlay.yaml names: this hub's URL, the training host, the CA. */
    Path credentials() {
        return credentials;
    }

    /**
     * Starts the hub with its files under {@code directory} and waits until it listens; empty (with
     * a warning on {@code log}) when it cannot, and the training goes on without a hub.
     */
    static Optional<TrainingHub> start(Path directory, String cluster, String hostId, PrintStream log) {
        Path lib = libDirectory();
        Path cert = directory.resolve("training-hub.pem");
        Path key = directory.resolve("training-hub.key");
        Path credentials = directory.resolve("hub-credentials.json");
        Process process = null;
        try {
            TrainingRun.copy("training-hub.pem", cert);
            TrainingRun.copy("training-hub.key", key);
            Files.writeString(credentials, """
                    {"version": 1, "url": "https://%s:%d", "cluster": "%s", "hostId": "%s",
                     "apiKey": "mk_%s.training", "ca": "%s"}
                    """.formatted(ADDRESS, PORT, cluster, hostId, hostId, cert));
            process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", lib.resolve("*").toString(),
                    "dev.mooring.runtime.Mooring", "hub", "--data", directory.resolve("hub").toString(),
                    "--listen", ADDRESS + ":" + PORT, "--tls-cert", cert.toString(), "--tls-key", key.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("hub.log").toFile())
                    .start();
            long deadline = System.currentTimeMillis() + LISTENING_WITHIN_MILLIS;
            while (process.isAlive() && System.currentTimeMillis() < deadline) {
                if (listening()) {
                    return Optional.of(new TrainingHub(process, credentials));
                }
                Thread.sleep(100);
            }
            log.println("mooring-aot-cache: warning: the training hub did not listen on " + ADDRESS + ":" + PORT
                    + " (see " + directory.resolve("hub.log") + "); training 'overlay run' without a hub");
        } catch (IOException e) {
            log.println("mooring-aot-cache: warning: cannot start the training hub (" + e.getMessage()
                    + "); training 'overlay run' without a hub");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process != null) {
            stop(process);
        }
        return Optional.empty();
    }

    private static boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ADDRESS, PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Where mooring's jars are: beside this class's jar, the first entry of the class path. */
    private static Path libDirectory() {
        String first = System.getProperty("java.class.path").split(":")[0];
        return Path.of(first).toAbsolutePath().getParent();
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the hub (SIGTERM, then SIGKILL after 10 s) and waits for it. */
    @Override
    public void close() {
        stop(process);
    }
}
