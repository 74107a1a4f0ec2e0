package dev.mooring.overlay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import dev.mooring.overlay.cli.OverlayCommand;
import dev.mooring.overlay.netlink.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code mooring overlay run} with discovery (no static peers) on hosts of a {@link NetnsLab},
 * each as its own process: config, identity state and status file per host in a temporary
 * directory; hosts {@code 1..controlPlanes} are control-plane, the others workers. Every host has
 * its own random machine id, so overlay addresses are derived, not given. The views
 * ({@link #overlayAddress}, {@link #vipHolders}, {@link #fdb}) read the kernel with iproute2, not
 * the service's own account.
 */
public final class OverlayHosts implements AutoCloseable {

    /**
     * The runtime launcher's JVM flags (serial GC, C1 only, small stacks): the service as it runs on
     * a device, and three of them fit on two cores.
     */
    /** The runtime launcher's memory flags (RuntimeAssembly): serial GC, C1 only, small stacks, a bounded heap. */
    public static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms8m", "-Xmx64m",
            "-Xss512k", "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED");
    /** From start to the status file saying ready, with three JVMs starting on two cores. */
    public static final Duration START = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);

    /**
     * What the hosts' overlay.yaml says beyond the host itself.
     *
     * @param cluster  {@code cluster:}
     * @param key      {@code overlay.key} (base64 of 32 bytes)
     * @param cidr     {@code overlay.cidr}
     * @param vip      {@code overlay.vip}
     * @param interval {@code discovery.interval}; suspect and dead follow from it
     */
    public record Settings(String cluster, String key, Cidr cidr, Ipv4Address vip, Duration interval) {
        public static final Cidr DEFAULT_CIDR = Cidr.parse("100.64.192.0/23");

        /** Cluster {@code drill}, a fresh random key, 100.64.192.0/23 with VIP .1, the default 250 ms interval. */
        public static Settings defaults() {
            return new Settings("drill", randomKey(), DEFAULT_CIDR, DEFAULT_CIDR.firstUsable(), Duration.ofMillis(250));
        }

        public Settings withCluster(String other) {
            return new Settings(other, key, cidr, vip, interval);
        }

        public Settings withKey(String other) {
            return new Settings(cluster, other, cidr, vip, interval);
        }

        /** Another CIDR, with its first usable address as VIP. */
        public Settings withCidr(Cidr other) {
            return new Settings(cluster, key, other, other.firstUsable(), interval);
        }

        public Settings withVip(Ipv4Address other) {
            return new Settings(cluster, key, cidr, other, interval);
        }

        public Settings withInterval(Duration other) {
            return new Settings(cluster, key, cidr, vip, other);
        }

        public static String randomKey() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return Base64.getEncoder().encodeToString(key);
        }
    }

    private final NetnsLab lab;
    private final Path dir;
    private final int controlPlanes;
    private final Settings settings;
    private final Map<NetnsLab.Host, String> machineIds = new LinkedHashMap<>();
    private final Map<NetnsLab.Host, NetnsLab.Background> services = new LinkedHashMap<>();

    /** Hosts of {@code lab}; nothing runs until {@link #start}. */
    public OverlayHosts(NetnsLab lab, int controlPlanes, Settings settings) throws IOException {
        this.lab = lab;
        this.dir = Files.createTempDirectory("mr-overlay-hosts-");
        this.controlPlanes = controlPlanes;
        this.settings = settings;
        for (NetnsLab.Host host : lab.hosts()) {
            machineIds.put(host, HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
        }
    }

    public Settings settings() {
        return settings;
    }

    public boolean isControlPlane(NetnsLab.Host host) {
        return host.number() <= controlPlanes;
    }

    /** Where {@code host}'s identity (identity.json) is persisted. */
    public Path stateDirectory(NetnsLab.Host host) {
        return dir.resolve("h" + host.number() + "-state");
    }

    public Path statusFile(NetnsLab.Host host) {
        return dir.resolve("h" + host.number() + ".json");
    }

    /** Writes {@code host}'s overlay.yaml with {@code with} and returns its path. */
    public Path writeConfig(NetnsLab.Host host, Settings with) throws IOException {
        return Files.writeString(dir.resolve("h" + host.number() + ".yaml"), """
                cluster: %s
                host: {name: h%d, id: %s}
                role: %s
                overlay:
                  cidr: %s
                  vip: %s
                  key: %s
                  underlay: %s
                discovery: {interval: %dms}
                state: %s
                metrics: 127.0.0.1:9647
                status: %s
                """.formatted(with.cluster(), host.number(), machineIds.get(host),
                isControlPlane(host) ? "control-plane" : "worker", with.cidr(), with.vip(), with.key(), host.device(),
                with.interval().toMillis(), stateDirectory(host), statusFile(host)));
    }

    /** Starts {@code host}'s service with the lab's settings and waits until it says ready. */
    public NetnsLab.Background start(NetnsLab.Host host) throws IOException, InterruptedException {
        return start(host, settings);
    }

    /** Starts {@code host}'s service with {@code with} and waits until its status file says ready. */
    public NetnsLab.Background start(NetnsLab.Host host, Settings with) throws IOException, InterruptedException {
        return startAll(List.of(host), with).getFirst();
    }

    /** Starts the services of {@code hosts} at once, then waits until every status file says ready. */
    public List<NetnsLab.Background> startAll(List<NetnsLab.Host> hosts) throws IOException, InterruptedException {
        return startAll(hosts, settings);
    }

    private List<NetnsLab.Background> startAll(List<NetnsLab.Host> hosts, Settings with) throws IOException, InterruptedException {
        List<NetnsLab.Background> started = new ArrayList<>();
        for (NetnsLab.Host host : hosts) {
            if (services.containsKey(host) && services.get(host).isAlive()) {
                throw new IllegalStateException("h" + host.number() + "'s service is running");
            }
            Path config = writeConfig(host, with);
            Files.deleteIfExists(statusFile(host));
            NetnsLab.Background service = lab.start(host.namespace(), command("run", "--config", config.toString()));
            services.put(host, service);
            started.add(service);
        }
        for (NetnsLab.Host host : hosts) {
            NetnsLab.Background service = services.get(host);
            awaitTrue(START, "h" + host.number() + " is ready", () -> {
                if (!service.isAlive()) {
                    throw new AssertionError("h" + host.number() + " exited " + service.waitFor(Duration.ZERO) + ":\n" + service.output());
                }
                return Files.exists(statusFile(host)) && status(host).path("state").asText().equals("ready");
            });
        }
        return started;
    }

    /**
     * Runs {@code overlay run} with {@code with} on {@code host} expecting it to refuse to start:
     * waits up to {@code timeout} for it to exit and returns its exit code and output.
     */
    public NetnsLab.Result runRefused(NetnsLab.Host host, Settings with, Duration timeout) throws IOException {
        Path config = writeConfig(host, with);
        List<String> command = new ArrayList<>(List.of("timeout", Long.toString(timeout.toSeconds())));
        command.addAll(command("run", "--config", config.toString()));
        return lab.exec(host.namespace(), command.toArray(String[]::new));
    }

    /** The running service of {@code host}. */
    public NetnsLab.Background service(NetnsLab.Host host) {
        NetnsLab.Background s = services.get(host);
        if (s == null) {
            throw new IllegalStateException("h" + host.number() + " has no service");
        }
        return s;
    }

    /** SIGKILL: the service dies without a word; its kernel state stays as it was. */
    public void kill(NetnsLab.Host host) {
        service(host).kill();
    }

    /** SIGTERM, as systemd stops it; returns the exit code. */
    public int stop(NetnsLab.Host host) {
        return service(host).stop(Duration.ofSeconds(10));
    }

    /**
     * Deletes {@code mooring-vx} and {@code mooring0} in {@code host}'s namespace, as a reboot
     * would: what the host keeps is its persisted identity. The service must not be running.
     */
    public void forgetKernelState(NetnsLab.Host host) throws IOException {
        if (services.containsKey(host) && services.get(host).isAlive()) {
            throw new IllegalStateException("h" + host.number() + "'s service is running");
        }
        for (String link : List.of("mooring-vx", "mooring0")) {
            NetnsLab.Result result = lab.exec(host.namespace(), "ip", "link", "del", link);
            if (!result.succeeded() && !result.stderr().contains("Cannot find device")) {
                result.orThrow();
            }
        }
    }

    /** Deletes {@code host}'s persisted identity, as on a machine that never ran the overlay. */
    public void forgetState(NetnsLab.Host host) throws IOException {
        if (services.containsKey(host) && services.get(host).isAlive()) {
            throw new IllegalStateException("h" + host.number() + "'s service is running");
        }
        if (Files.exists(stateDirectory(host))) {
            try (Stream<Path> files = Files.walk(stateDirectory(host))) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * {@link Eventually#within}, with every service's output at the time of failure added to the
     * message.
     */
    public void awaitTrue(Duration timeout, String what, Callable<Boolean> condition)
            throws InterruptedException {
        try {
            Eventually.within(timeout, what, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nservice logs:\n" + logs(), e.getCause());
        }
    }

    /** {@code host}'s status file as JSON. */
    public JsonNode status(NetnsLab.Host host) throws IOException {
        return JSON.readTree(statusFile(host).toFile());
    }

    /** The address on {@code mooring0} with the CIDR's prefix length: the host's overlay address. */
    public Optional<Ipv4Address> overlayAddress(NetnsLab.Host host) throws IOException {
        return bridgeAddresses(host).entrySet().stream().filter(e -> e.getValue() == settings.cidr().prefixLength())
                .map(Map.Entry::getKey).findFirst();
    }

    /** The overlay address of every host, in host order; fails when one has none. */
    public Map<NetnsLab.Host, Ipv4Address> overlayAddresses() throws IOException {
        Map<NetnsLab.Host, Ipv4Address> out = new LinkedHashMap<>();
        for (NetnsLab.Host host : lab.hosts()) {
            out.put(host, overlayAddress(host).orElseThrow(() -> new IllegalStateException("h" + host.number() + " has no overlay address")));
        }
        return out;
    }

    /** Hosts whose {@code mooring0} holds the VIP (as a /32) right now, according to the kernel. */
    public List<NetnsLab.Host> vipHolders(List<NetnsLab.Host> among) throws IOException {
        List<NetnsLab.Host> holders = new ArrayList<>();
        for (NetnsLab.Host host : among) {
            if (bridgeAddresses(host).containsKey(settings.vip())) {
                holders.add(host);
            }
        }
        return holders;
    }

    /** {@code mooring0}'s IPv4 addresses with their prefix lengths; empty when there is no bridge. */
    public Map<Ipv4Address, Integer> bridgeAddresses(NetnsLab.Host host) throws IOException {
        Map<Ipv4Address, Integer> out = new TreeMap<>();
        NetnsLab.Result result = lab.exec(host.namespace(), "ip", "-json", "-4", "address", "show", "dev", "mooring0");
        if (!result.succeeded() || result.stdout().isBlank()) {
            return out;
        }
        for (JsonNode link : JSON.readTree(result.stdout())) {
            for (JsonNode a : link.path("addr_info")) {
                out.put(Ipv4Address.parse(a.path("local").asText()), a.path("prefixlen").asInt());
            }
        }
        return out;
    }

    /** {@code mooring-vx}'s forwarding entries ({@code MAC dst UNDERLAY}), sorted. */
    public List<String> fdb(NetnsLab.Host host) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode f : lab.json(host.namespace(), "bridge", "-json", "fdb", "show", "dev", "mooring-vx")) {
            if (f.has("dst")) {
                out.add(f.path("mac").asText() + " dst " + f.path("dst").asText());
            }
        }
        return out.stream().sorted().toList();
    }

    /** The peers in {@code host}'s status file, {@code host overlay underlay} per line, sorted. */
    public List<String> members(NetnsLab.Host host) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : status(host).path("peers")) {
            out.add(p.path("host").asText() + " " + p.path("overlay").asText() + " " + p.path("underlay").asText());
        }
        return out.stream().sorted().toList();
    }

    /** One ping over the overlay; true when it was answered. */
    public boolean ping(NetnsLab.Host from, Ipv4Address to) throws IOException {
        return lab.exec(from.namespace(), "ping", "-n", "-q", "-c", "1", "-W", "1", to.toString()).succeeded();
    }

    /** Every directed pair of hosts that does not answer a ping over the overlay, as {@code hA->hB}. */
    public List<String> unreachablePairs() throws IOException {
        Map<NetnsLab.Host, Ipv4Address> addresses = overlayAddresses();
        List<String> silent = new ArrayList<>();
        for (NetnsLab.Host from : addresses.keySet()) {
            for (Map.Entry<NetnsLab.Host, Ipv4Address> to : addresses.entrySet()) {
                if (!to.getKey().equals(from) && !ping(from, to.getValue())) {
                    silent.add("h" + from.number() + "->h" + to.getKey().number());
                }
            }
        }
        return silent;
    }

    /**
     * {@code host}'s metrics page (GET /metrics on 127.0.0.1:9647 inside its namespace) as
     * {@code name{labels}} → value.
     */
    public Map<String, Double> metrics(NetnsLab.Host host) throws IOException {
        SocketChannel channel;
        try (NetworkNamespace ns = NetworkNamespace.open(host.namespaceFile())) {
            channel = ns.call(SocketChannel::open);
        }
        String response;
        try (channel) {
            channel.socket().setSoTimeout(5000);
            channel.connect(new InetSocketAddress("127.0.0.1", 9647));
            channel.write(ByteBuffer.wrap("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            response = new String(channel.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!response.startsWith("HTTP/1.") || !response.split(" ", 3)[1].equals("200")) {
            throw new IOException("GET /metrics on h" + host.number() + ": " + response.lines().findFirst().orElse("(no answer)"));
        }
        Map<String, Double> samples = new TreeMap<>();
        Matcher m = SAMPLE.matcher(response.substring(response.indexOf("\r\n\r\n") + 4));
        while (m.find()) {
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    /** {@code mooring_discovery_dropped_total{reason="REASON"}} on {@code host}, 0 when absent. */
    public double dropped(NetnsLab.Host host, String reason) throws IOException {
        return metrics(host).getOrDefault("mooring_discovery_dropped_total{reason=\"" + reason + "\"}", 0.0);
    }

    /** Every service's output, for failure messages. */
    public String logs() {
        return services.entrySet().stream().map(e -> "--- h" + e.getKey().number() + " (pid " + e.getValue().pid() + ")\n"
                + e.getValue().output()).collect(Collectors.joining("\n"));
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OverlayCommand.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Kills every service (the lab kills them too) and removes the configs, state and status files. */
    @Override
    public void close() {
        services.values().forEach(NetnsLab.Background::kill);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("OverlayHosts: cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
