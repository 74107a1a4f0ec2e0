package dev.mooring.runtime.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.overlay.testing.NetnsLab;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@link NetnsLab} host (underlay {@code eth0} on 198.51.100.0/24) with a configuration for
 * {@code mooring overlay run}: the set-up the runtime's namespace test and its READY benchmark
 * share. Closing it kills what it started and deletes the lab's namespaces.
 *
 * @param lab    the one-host lab
 * @param config the configuration {@link #start} passes to the service
 * @param status the status file the service writes just before it tells systemd READY=1
 */
public record OverlayNode(NetnsLab lab, Path config, Path status) implements AutoCloseable {

    /** The overlay address the configuration gives the host. */
    public static final String OVERLAY_ADDRESS = "100.64.192.10";
    private static final Duration EXIT_CHECK = Duration.ofMillis(20);
    private static final Path RUN = Path.of("/dev/shm");

    /**
     * Builds a one-host lab and writes {@code directory/overlay.yaml}, whose status file is on a
     * tmpfs ({@link #statusFile}; removed on {@link #close}) and whose identity lives in
     * {@code directory/state} on the disk, never in the build machine's /var/lib/mooring.
     */
    public static OverlayNode create(Path directory) throws IOException {
        return create(directory, false);
    }

    /**
     * As {@link #create(Path)}; with {@code hubManaged} the configuration also has a {@code hub:}
     * section whose credentials name a hub at 198.51.100.254, an address nothing in the lab
     * answers: the service then runs its hub client (heartbeats that time out and are retried),
     * as a registered device whose hub is away does.
     */
    public static OverlayNode create(Path directory, boolean hubManaged) throws IOException {
        Path config = directory.resolve("overlay.yaml");
        Path status = statusFile(directory);
        NetnsLab lab = NetnsLab.create(1);
        try {
            Files.writeString(config, overlayYaml(OVERLAY_ADDRESS, lab.host(1).device(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                    status, directory.resolve("state"))
                    + """
                    peers:
                      - host: rt-node-2
                        address: 100.64.192.11
                        underlay: 198.51.100.2
                    """
                    + (hubManaged ? hubSection(directory) : ""));
            return new OverlayNode(lab, config, status);
        } catch (IOException | RuntimeException e) {
            lab.close();
            deleteRunDirectory(status);
            throw e;
        }
    }

    /** Credentials as first boot writes them (docs/contracts.md), and the section naming them. */
    private static String hubSection(Path directory) throws IOException {
        Path hub = Files.createDirectories(directory.resolve("hub"));
        Path credentials = hub.resolve("credentials.json");
        Files.writeString(credentials, """
                {"version": 1, "url": "http://198.51.100.254:8443", "cluster": "rt", "hostId": "rt-node-1",
                 "apiKey": "mk_abcdefghijklmnopqrstuvwxyz012345"}
                """);
        return "cluster: rt\nhub:\n  credentials: " + credentials + "\n  heartbeat: 2s\n";
    }

    /**
     * A registered device and its hub, both real: a two-host lab whose second host runs
     * {@code mooring hub} over HTTPS (198.51.100.12:8443, the address the public test certificate
     * {@code lab-hub.pem} of this package names) started by {@code mooring}; the first host is
     * registered with it as first boot registers (cluster, token, {@code POST /register}, with
     * curl), and its configuration has the address and key the hub gave and a {@code hub:} section
     * naming the credentials, so its heartbeats are answered with 200 and the peer list.
     */
    public static OverlayNode createHubManaged(Path directory, List<String> mooring) throws IOException, InterruptedException {
        Path config = directory.resolve("overlay.yaml");
        Path status = statusFile(directory);
        NetnsLab lab = NetnsLab.create(2);
        try {
            Path tls = Files.createDirectories(directory.resolve("hub-tls"));
            Path cert = copy("lab-hub.pem", tls);
            Path key = copy("lab-hub.key", tls);
            // A new store each time: the cluster and the host are created afresh.
            Path data = Files.createTempDirectory(directory, "hub-data");
            List<String> hub = new ArrayList<>(mooring);
            String hubAddress = lab.underlayAddress(lab.host(2)).toString();
            hub.addAll(List.of("hub", "--data", data.toString(), "--listen", hubAddress + ":8443",
                    "--tls-cert", cert.toString(), "--tls-key", key.toString()));
            lab.start(lab.host(2).namespace(), hub);
            String url = "https://" + hubAddress + ":8443";
            HubCalls calls = new HubCalls(lab, lab.host(1).namespace(), url, cert);
            calls.awaitListening(Duration.ofSeconds(60));
            String admin = Files.readString(data.resolve("admin-token")).strip();
            calls.post("/api/v1/clusters", admin, "{\"name\":\"rt\",\"cidr\":\"100.64.192.0/23\"}");
            String token = calls.post("/api/v1/clusters/rt/tokens", admin, "{\"ttl\":\"1h\",\"uses\":1}").path("token").asText();
            JsonNode registered = calls.post("/api/v1/register", token, "{\"machineId\":\"bench-node-1\",\"hostname\":\"rt-node-1\","
                    + "\"role\":\"control-plane\",\"addresses\":[\"" + lab.underlayAddress(lab.host(1)) + "\"],\"version\":\"bench\"}");
            Path credentials = directory.resolve("credentials.json");
            Files.writeString(credentials, """
                    {"version": 1, "url": "%s", "cluster": "rt", "hostId": "%s", "apiKey": "%s", "ca": "%s"}
                    """.formatted(url, registered.path("hostId").asText(), registered.path("apiKey").asText(), cert));
            Files.writeString(config, "cluster: rt\n"
                    + overlayYaml(registered.path("address").asText(), lab.host(1).device(),
                            registered.path("cluster").path("key").asText(), status, directory.resolve("state"))
                    + "hub:\n  credentials: " + credentials + "\n  heartbeat: 2s\n");
            return new OverlayNode(lab, config, status);
        } catch (IOException | RuntimeException | InterruptedException e) {
            lab.close();
            deleteRunDirectory(status);
            throw e;
        }
    }

    /** The part of overlay.yaml every node has: a static address on the lab's underlay. */
    private static String overlayYaml(String address, String underlay, String key, Path status, Path state) {
        return """
                host:
                  name: rt-node-1
                role: control-plane
                overlay:
                  cidr: 100.64.192.0/23
                  address: %s
                  underlay: %s
                  key: %s
                status: %s
                state: %s
                """.formatted(address, underlay, key, status, state);
    }

    private static Path copy(String resource, Path directory) throws IOException {
        try (InputStream in = OverlayNode.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the test resources");
            }
            Path target = directory.resolve(resource);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        }
    }

    /** The hub's admin and registration API, called with curl from inside a lab host. */
    private record HubCalls(NetnsLab lab, String namespace, String url, Path ca) {

        private static final ObjectMapper JSON = new ObjectMapper();

        JsonNode post(String path, String secret, String body) throws IOException {
            NetnsLab.Result r = lab.exec(namespace, "curl", "-sS", "--fail-with-body", "--cacert", ca.toString(), "-X", "POST",
                    "-H", "Authorization: Bearer " + secret, "-H", "Content-Type: application/json", "--data", body, url + path)
                    .orThrow();
            return JSON.readTree(r.stdout());
        }

        void awaitListening(Duration within) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (!lab.exec(namespace, "curl", "-sS", "-o", "/dev/null", "--cacert", ca.toString(), url + "/").succeeded()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("the lab's hub did not answer at " + url + " within " + within);
                }
                Thread.sleep(200);
            }
        }
    }

    public NetnsLab.Host host() {
        return lab.host(1);
    }

    /**
     * Starts {@code mooring overlay run --config <config>} inside the host; {@code mooring} is the
     * command that runs mooring (a launcher, or {@code java -cp ... dev.mooring.runtime.Mooring}).
     */
    public NetnsLab.Background start(List<String> mooring) throws IOException {
        List<String> command = new ArrayList<>(mooring);
        command.addAll(List.of("overlay", "run", "--config", config.toString()));
        return lab.start(host().namespace(), command);
    }

    /**
     * Returns once the status file exists; fails with the service's output if it exits first or is
     * not ready {@code within}. It waits on inotify (the service renames the file into place), not
     * by polling: the benchmark measures this moment on two cores, and polling every 0.2 ms took
     * about 50 ms of CPU from the start it measured.
     */
    public void awaitReady(NetnsLab.Background overlay, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        try (WatchService watch = status.getFileSystem().newWatchService()) {
            status.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(status)) {
                if (!overlay.isAlive()) {
                    throw new IOException("mooring overlay run exited before it was ready; its output:\n" + overlay.output());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("mooring overlay run was not ready within " + within + "; its output:\n" + overlay.output());
                }
                // Wakes at the file's creation; the timeout only bounds how late an exit is noticed.
                WatchKey key = watch.poll(EXIT_CHECK.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    @Override
    public void close() {
        lab.close();
        deleteRunDirectory(status);
    }

    /**
     * The status file: on a tmpfs of its own when the machine has {@code /dev/shm}, as the service's
     * default {@code /run/mooring/overlay.json} is on a device. The service syncs the file before
     * READY, which costs nothing on a tmpfs and a disk flush (10 ms or more on a virtual disk) on
     * the build machine's disk, where the figure would then measure the disk.
     */
    private static Path statusFile(Path directory) throws IOException {
        if (Files.isDirectory(RUN) && Files.getFileStore(RUN).type().equals("tmpfs")) {
            return Files.createTempDirectory(RUN, "mooring-run-").resolve("overlay.json");
        }
        Path status = directory.resolve("overlay.json");
        Files.deleteIfExists(status); // left by an earlier run
        return status;
    }

    private static void deleteRunDirectory(Path status) {
        Path run = status.getParent();
        if (!run.startsWith(RUN)) {
            return;
        }
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(run);
        } catch (IOException e) {
            System.err.println("OverlayNode: could not delete " + run + ": " + e);
        }
    }
}
