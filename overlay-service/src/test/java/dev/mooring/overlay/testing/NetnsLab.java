package dev.mooring.overlay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away L2 lab made of network namespaces: one "switch" namespace holding bridge
 * {@code br0}, and N host namespaces, each wired to the bridge by a veth whose host end is
 * {@code eth0} (underlay {@code 198.51.100.(10+n)/24}, default route via {@code 198.51.100.1},
 * up). Namespace names are {@code mr-<random>-sw} and {@code mr-<random>-h<n>}, so parallel runs
 * never collide and nothing outside the lab is touched.
 *
 * <pre>{@code
 * try (NetnsLab lab = NetnsLab.create(3)) {
 *     NetnsLab.Host h1 = lab.host(1);
 *     JsonNode links = lab.json(h1.namespace(), "ip", "-json", "link", "show");
 *     try (NetnsLab.Background svc = lab.start(h1.namespace(), NetnsLab.javaCommand(Main.class, "run"))) { ... }
 * }
 * }</pre>
 *
 * {@link #close()} kills every process the lab started (with its descendants, by PID) and deletes
 * every namespace it made, also after a failed test; a JVM shutdown hook does the same as a last
 * resort.
 */
public final class NetnsLab implements AutoCloseable {

    /** The underlay network hosts start in. */
    public static final Cidr UNDERLAY = Cidr.parse("198.51.100.0/24");
    /** The network a simulated DHCP change moves hosts to. */
    public static final Cidr MOVED_UNDERLAY = Cidr.parse("203.0.113.0/24");

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;
    private final String switchNamespace;
    private final List<Host> hosts = new ArrayList<>();
    private final Map<Host, Ipv4Address> underlayAddresses = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Background> processes = new ArrayList<>();
    private final Path logDirectory;
    private final Thread shutdownHook;
    private boolean closed;

    /**
     * One host of the lab.
     *
     * @param number    1-based
     * @param namespace the namespace name, for {@code ip -n} and {@link #exec}
     * @param device    the underlay interface inside the namespace ({@code eth0})
     */
    public record Host(int number, String namespace, String device) {
        /** The namespace's bind mount, for {@code NetlinkKernel.openIn(...)} and setns(2). */
        public Path namespaceFile() {
            return Path.of("/run/netns", namespace);
        }
    }

    /** A finished command: its exit code and its whole output. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** This result, or an {@link IllegalStateException} with the command and its stderr when it failed. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exitCode + ": " + stderr.strip() + stdout.strip());
            }
            return this;
        }
    }

    private NetnsLab(String prefix) throws IOException {
        this.prefix = prefix;
        this.switchNamespace = prefix + "-sw";
        this.logDirectory = Files.createTempDirectory(prefix + "-logs");
        this.shutdownHook = Thread.ofPlatform().unstarted(this::cleanUp);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Aborts the calling test as skipped (JUnit assumption, reason printed to {@code System.err})
     * unless namespaces can be made here; {@link RequiresNetns} does the same declaratively.
     */
    public static void assumeAvailable() {
        NetnsAvailable.missingPrerequisite().ifPresent(reason -> {
            System.err.println("skipped: " + reason);
            Assumptions.abort(reason);
        });
    }

    /** Builds the switch and {@code hostCount} hosts (1..20), all up and addressed. */
    public static NetnsLab create(int hostCount) throws IOException {
        if (hostCount < 1 || hostCount > 20) {
            throw new IllegalArgumentException("hostCount: expected 1..20, got " + hostCount);
        }
        NetnsLab lab = new NetnsLab("mr-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2));
        try {
            lab.build(hostCount);
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build(int hostCount) throws IOException {
        addNamespace(switchNamespace);
        ip(switchNamespace, "link", "set", "lo", "up");
        ip(switchNamespace, "link", "add", "br0", "type", "bridge");
        ip(switchNamespace, "link", "set", "br0", "up");
        for (int n = 1; n <= hostCount; n++) {
            Host host = new Host(n, prefix + "-h" + n, "eth0");
            addNamespace(host.namespace());
            // Both veth ends are created inside lab namespaces: nothing appears in the caller's namespace.
            ip(switchNamespace, "link", "add", "p" + n, "type", "veth", "peer", "name", host.device(), "netns", host.namespace());
            ip(switchNamespace, "link", "set", "p" + n, "master", "br0", "up");
            ip(host.namespace(), "link", "set", "lo", "up");
            ip(host.namespace(), "link", "set", host.device(), "up");
            hosts.add(host);
            setUnderlay(host, UNDERLAY.network().plus(10 + n));
        }
    }

    private void addNamespace(String name) throws IOException {
        run(List.of("ip", "netns", "add", name)).orThrow();
        namespaces.add(name);
    }

    private void ip(String namespace, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", namespace));
        command.addAll(List.of(args));
        run(command).orThrow();
    }

    /** The namespace holding bridge {@code br0} and the switch ports {@code p1..pN}. */
    public String switchNamespace() {
        return switchNamespace;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /** Host {@code number}, 1-based. */
    public Host host(int number) {
        if (number < 1 || number > hosts.size()) {
            throw new IllegalArgumentException("number: expected 1.." + hosts.size() + ", got " + number);
        }
        return hosts.get(number - 1);
    }

    /** The host's current underlay address (prefix length 24). */
    public Ipv4Address underlayAddress(Host host) {
        return underlayAddresses.get(host);
    }

    /**
     * Simulates a DHCP change: flushes the host's underlay addresses, adds {@code address}/24 (from
     * {@link #MOVED_UNDERLAY} or {@link #UNDERLAY}) and points the default route at {@code .1} of it.
     */
    public void changeUnderlayAddress(Host host, Ipv4Address address) throws IOException {
        if (!MOVED_UNDERLAY.isUsableHost(address) && !UNDERLAY.isUsableHost(address)) {
            throw new IllegalArgumentException("address: expected a host in " + MOVED_UNDERLAY + " or " + UNDERLAY + ", got " + address);
        }
        ip(host.namespace(), "address", "flush", "dev", host.device());
        setUnderlay(host, address);
    }

    private void setUnderlay(Host host, Ipv4Address address) throws IOException {
        Cidr network = new Cidr(new Ipv4Address(address.bits() & 0xffffff00), 24);
        ip(host.namespace(), "address", "add", address + "/24", "brd", "+", "dev", host.device());
        ip(host.namespace(), "route", "replace", "default", "via", network.firstUsable().toString(), "dev", host.device());
        underlayAddresses.put(host, address);
    }

    /** Runs {@code command} inside {@code namespace} ({@code ip netns exec}) and waits for it; never throws on a non-zero exit. */
    public Result exec(String namespace, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return run(full);
    }

    /**
     * Runs a {@code -json} command ({@code ip -json link show}, {@code bridge -json fdb show ...})
     * inside {@code namespace} and parses its output; empty output is an empty array. Fails when the
     * command fails.
     */
    public JsonNode json(String namespace, String... command) throws IOException {
        String out = exec(namespace, command).orThrow().stdout();
        return out.isBlank() ? JsonNodeFactory.instance.arrayNode() : JSON.readTree(out);
    }

    /**
     * Starts a long-running {@code command} inside {@code namespace}; stdout and stderr go to
     * {@link Background#log()}. The lab kills it on {@link #close()} if the test has not.
     */
    public synchronized Background start(String namespace, List<String> command) throws IOException {
        if (closed) {
            throw new IllegalStateException("the lab is closed");
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        Path log = logDirectory.resolve(namespace + "-" + processes.size() + ".log");
        Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Background background = new Background(List.copyOf(full), process, log);
        processes.add(background);
        return background;
    }

    /**
     * The command line to run {@code mainClass} in a child JVM with this test JVM's class path and
     * native access enabled, for {@link #start} or {@link #exec}.
     */
    public static List<String> javaCommand(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                mainClass.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Kills every started process, deletes every namespace; safe to call twice. */
    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it does the same idempotent clean-up.
        }
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        for (Background process : processes) {
            process.kill();
        }
        List<String> failures = new ArrayList<>();
        for (String namespace : namespaces.reversed()) {
            try {
                Result result = run(List.of("ip", "netns", "del", namespace));
                if (!result.succeeded()) {
                    failures.add(namespace + ": " + result.stderr().strip());
                }
            } catch (IOException e) {
                failures.add(namespace + ": " + e.getMessage());
            }
        }
        try (Stream<Path> files = Files.walk(logDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            failures.add("log directory " + logDirectory + ": " + e.getMessage());
        }
        if (!failures.isEmpty()) {
            System.err.println("NetnsLab " + prefix + " clean-up left: " + failures);
        }
    }

    static Result run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
            }
            return new Result(command, process.exitValue(), stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("could not read the output of " + String.join(" ", command), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** A process started with {@link #start}; closing it kills it and its descendants. */
    public static final class Background implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final Path log;

        Background(List<String> command, Process process, Path log) {
            this.command = command;
            this.process = process;
            this.log = log;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public List<String> command() {
            return command;
        }

        /** The file receiving the process's stdout and stderr. */
        public Path log() {
            return log;
        }

        /** Everything the process has written so far. */
        public String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(log " + log + " unreadable: " + e.getMessage() + ")";
            }
        }

        /** SIGTERM, then SIGKILL for whatever is left after {@code grace}; returns the exit code. */
        public int stop(Duration grace) {
            process.destroy();
            try {
                if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    return process.exitValue();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kill();
            return process.exitValue();
        }

        /** SIGKILL to the process and its descendants, by PID; waits until it is gone. */
        public void kill() {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits up to {@code timeout} for the process to exit on its own; returns its exit code. */
        public int waitFor(Duration timeout) throws TimeoutException, InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException(String.join(" ", command) + " still running after " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            kill();
        }
    }
}
