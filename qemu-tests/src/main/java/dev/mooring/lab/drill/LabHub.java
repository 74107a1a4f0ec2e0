package dev.mooring.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.lab.HostCommand;
import dev.mooring.lab.LabException;
import dev.mooring.lab.LabNetwork;
import dev.mooring.lab.LabProcess;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A real hub ({@code mooring hub}, docs/hub.md) on a lab network, so a drill can run "with a hub":
 * the machines register at first boot and heartbeat from their overlay service, and the drill reads
 * the hub's host table (overlay address, external address, last heartbeat) before and after a
 * network restart.
 *
 * <p><b>How it runs.</b> The hub is the JVM running the lab ({@code java.home}) with this JVM's class
 * path and the hub's main class {@link #MAIN_CLASS}: the {@code hub} module is a dependency of this
 * one, so it is on the class path of the tests and of {@code bin/mooring} alike, and no image or
 * {@code mooring} installation on the lab host is needed. It is started with
 * {@link LabNetwork#start} ({@code ip netns exec}), so it lives in the lab namespace, is known by PID
 * and is killed by the network's close as well as by ours. Its directory is {@code hub/} in the lab
 * directory: the store ({@code data/hub.db}), the admin token we write (0600, written whole) and,
 * through the network, its log.
 *
 * <p><b>Where the machines find it.</b> It listens on {@code 0.0.0.0:}{@value #PORT} in the
 * namespace, and {@link #endpoint()} is {@code http://}{@value #ADDRESS_TEXT}{@code :8443}, an
 * address on the namespace's loopback: not the gateway ({@link LabNetwork#gateway()}), because a
 * network restart flushes the bridge's addresses and the gateway moves to {@code 203.0.113.1}, while
 * the URL written into a machine's user-data at first boot must still answer its heartbeats
 * afterwards. Before the restart the address is on the machines' link (the namespace answers ARP for
 * any of its addresses); after it the machines route to it through their new default gateway, which
 * is the same namespace. Like a hub on the WAN, it does not move when the site's DHCP does.
 *
 * <p><b>How the lab host talks to it.</b> The host has no route into the lab namespace, and the lab
 * adds none (it never touches the host's network). So {@link LabHubRelay} listens on the host's
 * loopback and opens each connection from a socket created inside the namespace (setns(2) on a
 * short-lived thread; a socket stays in the namespace it was made in), and this class uses
 * {@code java.net.http} against it: a real HTTP client, no process per request and no JSON on command
 * lines (the alternative, {@code ip netns exec NS curl} per call, has both). {@link #hostUrl()} is
 * that relay, e.g. for the hub's page in a browser on the lab host while a lab is up.
 */
public final class LabHub implements AutoCloseable {
    /** The hub's main class (what {@code mooring hub} runs). */
    public static final String MAIN_CLASS = "dev.mooring.hub.cli.HubCommand";
    public static final int PORT = 8443;
    static final String ADDRESS_TEXT = "198.51.100.254";
    /**
     * The hub's address on the lab network: outside dnsmasq's range (.100-.199) and not the gateway,
     * on the namespace's loopback, so it survives {@link LabNetwork#restart}.
     */
    public static final Ipv4Address ADDRESS = Ipv4Address.parse(ADDRESS_TEXT);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A cluster as the hub created it; {@code key} is the overlay key every host of it must use. */
    public record Cluster(String name, Cidr cidr, Ipv4Address vip, int vni, int port, String key) {}

    /** A registration token ("join token"); {@code token} is shown once by the hub. */
    public record JoinToken(String id, String token, Instant expires) {}

    /**
     * A host in the hub's table: {@code underlay} are its external addresses from its last heartbeat
     * (from its registration until then), {@code lastSeen} that heartbeat's time.
     */
    public record Host(String hostId, String machineId, String hostname, String role, Ipv4Address overlay,
                       List<Ipv4Address> underlay, String status, Instant lastSeen, boolean vipHolder) {
        public Host {
            underlay = List.copyOf(underlay);
        }

        /** The first external address, as the hub's page shows it. */
        public Optional<Ipv4Address> external() {
            return underlay.stream().findFirst();
        }
    }

    private final LabProcess process;
    private final LabHubRelay relay;
    private final String adminToken;
    private final HttpClient http;
    private boolean closed;

    private LabHub(LabProcess process, LabHubRelay relay, String adminToken) {
        this.process = process;
        this.relay = relay;
        this.adminToken = adminToken;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Starts a hub in {@code network}'s namespace and waits (up to 2 minutes) until it answers its API. */
    public static LabHub start(LabNetwork network) throws InterruptedException {
        return start(network, START_TIMEOUT);
    }

    /** Starts a hub in {@code network}'s namespace and waits up to {@code timeout} until it answers its API. */
    public static LabHub start(LabNetwork network, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(network, "network");
        Path dir = network.directory().resolve("hub");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = "ma_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Path tokenFile = dir.resolve("admin-token");
        try {
            Files.createDirectories(dir.resolve("data"));
            writeSecret(tokenFile, token + "\n");
        } catch (IOException e) {
            throw new LabException("cannot prepare the hub's directory " + dir + ": " + e.getMessage(), e);
        }
        HostCommand.Result added = network.exec("ip", "address", "add", ADDRESS + "/32", "dev", "lo");
        if (!added.succeeded()) {
            throw new LabException("cannot give the lab namespace " + network.namespace() + " the hub's address " + ADDRESS
                    + " (is a hub already running on this lab network?): " + added.stderr().strip());
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                // A small, quickly started JVM: it shares the lab host's cores with QEMU under TCG.
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
                // sqlite-jdbc extracts its native library here instead of the shared /tmp.
                "-Dorg.sqlite.tmpdir=" + dir,
                "-cp", System.getProperty("java.class.path"), MAIN_CLASS,
                "--data", dir.resolve("data").toString(), "--listen", "0.0.0.0:" + PORT,
                "--admin-token-file", tokenFile.toString()));
        LabProcess process = network.start("hub", command);
        LabHubRelay relay;
        try {
            relay = LabHubRelay.start(network.namespace(), PORT);
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        }
        LabHub hub = new LabHub(process, relay, token);
        try {
            hub.awaitAnswer(timeout);
            return hub;
        } catch (RuntimeException | InterruptedException e) {
            hub.close();
            throw e;
        }
    }

    private static void writeSecret(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, text, StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.SYNC);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void awaitAnswer(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (true) {
            if (!process.isAlive()) {
                throw new LabException("the lab's hub exited " + process.exitCode().orElse(-1) + " before it answered: " + tail(process.output()));
            }
            try {
                HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/clusters")).GET(), Duration.ofSeconds(10));
                if (r.statusCode() == 200) {
                    return;
                }
                last = "it answered " + r.statusCode() + ": " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("the lab's hub did not answer GET /api/v1/clusters within " + timeout + " (" + last + "); its log: "
                        + tail(process.output()));
            }
            Thread.sleep(500);
        }
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
    }

    /** What machines put in their user-data: {@code http://198.51.100.254:8443}, reachable before and after a network restart. */
    public URI endpoint() {
        return URI.create("http://" + ADDRESS + ":" + PORT);
    }

    /** The same hub from the lab host (through the relay on the host's loopback), e.g. {@code http://127.0.0.1:41234}. */
    public URI hostUrl() {
        return relay.url();
    }

    /** The admin token (for the hub's page: {@code hostUrl() + "/#token=" + adminToken()}). */
    public String adminToken() {
        return adminToken;
    }

    public long pid() {
        return process.pid();
    }

    /** What the hub logged so far. */
    public String log() {
        return process.output();
    }

    /** {@code POST /api/v1/clusters} with the default VNI and port; the same settings again return the existing cluster. */
    public Cluster createCluster(String name, Cidr cidr, Ipv4Address vip) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", Objects.requireNonNull(name, "name"));
        body.put("cidr", Objects.requireNonNull(cidr, "cidr").toString());
        if (vip != null) {
            body.put("vip", vip.toString());
        }
        JsonNode c = call("POST", "/api/v1/clusters", body);
        return new Cluster(c.path("name").asText(), Cidr.parse(c.path("cidr").asText()), Ipv4Address.parse(c.path("vip").asText()),
                c.path("vni").asInt(), c.path("port").asInt(), c.path("key").asText());
    }

    /** {@code POST /api/v1/clusters} with the VIP the hub chooses (the CIDR's first usable address). */
    public Cluster createCluster(String name, Cidr cidr) throws InterruptedException {
        return createCluster(name, cidr, null);
    }

    /** {@code POST /api/v1/clusters/{cluster}/tokens}: valid 24 hours, any number of uses (every machine of a lab shares it). */
    public JoinToken joinToken(String cluster) throws InterruptedException {
        JsonNode t = call("POST", "/api/v1/clusters/" + cluster + "/tokens", Map.of("ttl", "24h"));
        return new JoinToken(t.path("id").asText(), t.path("token").asText(), Instant.parse(t.path("expires").asText()));
    }

    /** {@code GET /api/v1/clusters/{cluster}/hosts}: every registered host with its overlay and external addresses. */
    public List<Host> hosts(String cluster) throws InterruptedException {
        JsonNode list = call("GET", "/api/v1/clusters/" + cluster + "/hosts", null);
        List<Host> hosts = new ArrayList<>();
        for (JsonNode h : list) {
            List<Ipv4Address> underlay = new ArrayList<>();
            h.path("underlay").forEach(a -> underlay.add(Ipv4Address.parse(a.asText())));
            hosts.add(new Host(h.path("hostId").asText(), h.path("machineId").asText(), h.path("hostname").asText(),
                    h.path("role").asText(), Ipv4Address.parse(h.path("overlay").asText()), underlay, h.path("status").asText(),
                    Instant.parse(h.path("lastSeen").asText()), h.path("vipHolder").asBoolean()));
        }
        return hosts;
    }

    private JsonNode call(String method, String path, Object body) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        try {
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = send(request, REQUEST_TIMEOUT);
            if (r.statusCode() / 100 != 2) {
                throw new LabException("the lab's hub answered " + method + " " + path + " with " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new LabException("the lab's hub did not answer " + method + " " + path + " (" + e + "); is it running? its log: "
                    + tail(process.output()), e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) throws IOException, InterruptedException {
        return http.send(request.header("Authorization", "Bearer " + adminToken).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private URI uri(String path) {
        return relay.url().resolve(path);
    }

    /** Stops the hub (SIGTERM, so it writes its buffered heartbeats; SIGKILL after 10 s) and the relay; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            process.stop(Duration.ofSeconds(10));
        } finally {
            relay.close();
            http.close();
        }
    }

    @Override
    public String toString() {
        return "LabHub at " + endpoint() + " (pid " + process.pid() + ")";
    }
}
