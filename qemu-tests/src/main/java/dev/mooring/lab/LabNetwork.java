package dev.mooring.lab;

import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The lab's L2 network: a private network namespace {@code mr-lab-<random>} holding a bridge
 * {@code br0} with the gateway address ({@code .1} of the served subnet), one tap per machine and a
 * real dnsmasq handing out leases from {@code .100}–{@code .199}. Nothing is created outside the
 * namespace; every process is started and stopped by PID; {@link #close()} (also run by a shutdown
 * hook on Ctrl-C) kills them and deletes the namespace, which takes the taps with it.
 *
 * <pre>{@code
 * try (LabNetwork net = LabNetwork.builder().start()) {          // 198.51.100.0/24
 *     ...machines...
 *     net.restart(LabNetwork.MOVED_SUBNET);                        // dnsmasq now serves 203.0.113.0/24
 * }
 * }</pre>
 */
public final class LabNetwork implements AutoCloseable {
    public static final Cidr DEFAULT_SUBNET = Cidr.parse("198.51.100.0/24");
    /** Where a "network restart" moves the lab. */
    public static final Cidr MOVED_SUBNET = Cidr.parse("203.0.113.0/24");
    static final String BRIDGE = "br0";

    private final String namespace;
    private final Path dir;
    private final boolean ownsDir;
    private final Duration leaseTime;
    private final List<Tap> taps = new ArrayList<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private final List<LabMachine> machines = new ArrayList<>();
    private final List<NetworkEvent> events = new ArrayList<>();
    private LabProcess dnsmasq;
    private Cidr subnet;
    private int generation;
    private boolean namespaceCreated;
    private boolean closed;

    /** Something that happened to the network, for a drill's timeline. */
    public record NetworkEvent(java.time.Instant at, String what) {}

    private LabNetwork(String namespace, Path dir, boolean ownsDir, Duration leaseTime) {
        this.namespace = namespace;
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.leaseTime = leaseTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fluent settings; {@link #start()} builds the network. */
    public static final class Builder {
        private Cidr subnet = DEFAULT_SUBNET;
        private Duration leaseTime = Dnsmasq.MIN_LEASE;
        private Path workDir;

        /** The subnet served first (a /24; default {@value}198.51.100.0/24). */
        public Builder withSubnet(Cidr subnet) {
            this.subnet = Objects.requireNonNull(subnet, "subnet");
            if (subnet.prefixLength() != 24) {
                throw new IllegalArgumentException("subnet: expected a /24, got " + subnet);
            }
            return this;
        }

        /** Lease time, at least 2 minutes (dnsmasq's minimum). */
        public Builder withLeaseTime(Duration leaseTime) {
            if (leaseTime.compareTo(Dnsmasq.MIN_LEASE) < 0) {
                throw new IllegalArgumentException("leaseTime: expected at least 2 minutes (dnsmasq's minimum), got " + leaseTime);
            }
            this.leaseTime = leaseTime;
            return this;
        }

        /**
         * Keeps the lab's files (dnsmasq and console logs, disks) in {@code dir}, which is then not
         * deleted on close; by default they go to a temporary directory that is.
         */
        public Builder withWorkDir(Path dir) {
            this.workDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Creates the namespace, bridge and gateway address and starts dnsmasq. Needs root. */
        public LabNetwork start() throws InterruptedException {
            String name = "mr-lab-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
            Path dir;
            try {
                if (workDir != null) {
                    dir = Files.createDirectories(workDir.resolve(name));
                } else {
                    dir = Files.createTempDirectory(name + "-");
                }
            } catch (IOException e) {
                throw new LabException("cannot create the lab directory: " + e.getMessage(), e);
            }
            LabNetwork network = new LabNetwork(name, dir, workDir == null, leaseTime);
            Reaper.register(network);
            try {
                network.build(subnet);
                return network;
            } catch (RuntimeException | InterruptedException e) {
                network.close();
                throw e;
            }
        }
    }

    private void build(Cidr first) throws InterruptedException {
        HostCommand.run("ip", "netns", "add", namespace).orThrow();
        namespaceCreated = true;
        ip("link", "set", "lo", "up");
        ip("link", "add", BRIDGE, "type", "bridge");
        // No STP and no forwarding delay: a port is forwarding the moment its link comes up, as on a plain switch.
        ip("link", "set", BRIDGE, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        ip("link", "set", BRIDGE, "up");
        ip("address", "add", first.firstUsable() + "/24", "dev", BRIDGE);
        startDhcp(first);
    }

    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", namespace));
        command.addAll(List.of(args));
        HostCommand.run(command).orThrow();
    }

    private void startDhcp(Cidr to) throws InterruptedException {
        generation++;
        dnsmasq = Dnsmasq.start(namespace, to, BRIDGE, leaseTime, dir, generation);
        subnet = to;
        event("dnsmasq serving " + to + " (pid " + dnsmasq.pid() + ")");
    }

    /** The namespace's name ({@code mr-lab-xxxxxx}), for {@code ip netns exec}. */
    public String namespace() {
        return namespace;
    }

    /** The subnet dnsmasq serves now. */
    public synchronized Cidr subnet() {
        return subnet;
    }

    /** The bridge's address: the machines' default gateway (it changes with {@link #restart}). */
    public synchronized Ipv4Address gateway() {
        return subnet.firstUsable();
    }

    /** The lab's directory: dnsmasq's lease file and log, one folder per machine. */
    public Path directory() {
        return dir;
    }

    public Path leaseFile() {
        return dir.resolve("leases");
    }

    /** dnsmasq's PID now (changes on {@link #restart}). */
    public synchronized long dhcpServerPid() {
        return dnsmasq.pid();
    }

    /** The leases in dnsmasq's lease file now. */
    public List<DhcpLease> leases() {
        try {
            return Files.exists(leaseFile()) ? DhcpLease.parseFile(Files.readString(leaseFile())) : List.of();
        } catch (IOException e) {
            throw new LabException("cannot read " + leaseFile() + ": " + e.getMessage(), e);
        }
    }

    /** The current lease of {@code mac}, if dnsmasq has given it one. */
    public Optional<Ipv4Address> lease(String mac) {
        return leases().stream().filter(l -> l.mac().equalsIgnoreCase(mac)).map(DhcpLease::address).findFirst();
    }

    /** What dnsmasq logged ({@code --log-dhcp}), for failure messages. */
    public String dhcpLog() {
        try {
            return Files.readString(dir.resolve("dnsmasq.log"));
        } catch (IOException e) {
            return "(no dnsmasq log: " + e.getMessage() + ")";
        }
    }

    /**
     * The site's network restart: stops dnsmasq, empties its lease file, moves the bridge's address
     * to {@code .1} of {@code to} and starts dnsmasq serving {@code to}. Clients holding an old lease
     * get a NAK when they next ask (dnsmasq is authoritative) and then a lease from {@code to}.
     */
    public synchronized void restart(Cidr to) throws InterruptedException {
        Objects.requireNonNull(to, "to");
        if (to.prefixLength() != 24) {
            throw new IllegalArgumentException("to: expected a /24, got " + to);
        }
        requireOpen();
        event("dnsmasq stopping");
        dnsmasq.stop(Duration.ofSeconds(5));
        try {
            Files.writeString(leaseFile(), "");
        } catch (IOException e) {
            throw new LabException("cannot empty " + leaseFile() + ": " + e.getMessage(), e);
        }
        ip("address", "flush", "dev", BRIDGE);
        ip("address", "add", to.firstUsable() + "/24", "dev", BRIDGE);
        startDhcp(to);
    }

    /** Creates the next machine port (a tap on the bridge, up). */
    synchronized Tap attach() {
        requireOpen();
        Tap tap = Tap.of(taps.size() + 1);
        ip("tuntap", "add", "dev", tap.name(), "mode", "tap");
        ip("link", "set", tap.name(), "master", BRIDGE, "up");
        taps.add(tap);
        return tap;
    }

    synchronized void own(LabMachine machine) {
        machines.add(machine);
    }

    synchronized void disown(LabMachine machine) {
        machines.remove(machine);
    }

    /**
     * Runs a long-lived program inside the lab namespace (a hub, a probe), so machines reach it
     * through their gateway; it is killed by PID when the network closes. A program that must stay
     * at one address across {@link #restart} listens on an address of its own (see LabHub).
     */
    public synchronized LabProcess start(String name, List<String> command) {
        requireOpen();
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        LabProcess process = LabProcess.start(name, full, dir.resolve(name + "-" + processes.size() + ".log"));
        processes.add(process);
        return process;
    }

    /** Runs a short command inside the lab namespace. */
    public HostCommand.Result exec(String... command) {
        return HostCommand.inNamespace(namespace, command);
    }

    public synchronized List<NetworkEvent> events() {
        return List.copyOf(events);
    }

    synchronized void event(String what) {
        events.add(new NetworkEvent(java.time.Instant.now(), what));
    }

    /** The PIDs this network started and that may still run (dnsmasq, helpers), for leftover checks. */
    public synchronized List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        if (dnsmasq != null) {
            pids.add(dnsmasq.pid());
        }
        processes.forEach(p -> pids.add(p.pid()));
        return pids;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the lab network " + namespace + " is closed");
        }
    }

    /** Stops every machine and process of this network by PID and deletes the namespace (and so its taps); idempotent. */
    @Override
    public void close() {
        List<LabMachine> running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = new ArrayList<>(machines);
        }
        for (LabMachine machine : running.reversed()) {
            machine.close();
        }
        List<String> failures = new ArrayList<>();
        for (LabProcess process : processes.reversed()) {
            process.kill();
        }
        if (dnsmasq != null) {
            dnsmasq.kill();
        }
        if (namespaceCreated) {
            HostCommand.Result deleted = HostCommand.run("ip", "netns", "del", namespace);
            if (!deleted.succeeded()) {
                failures.add("namespace " + namespace + ": " + deleted.stderr().strip());
            }
        }
        if (ownsDir) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                failures.add("directory " + dir + ": " + e.getMessage());
            }
        }
        Reaper.unregister(this);
        if (!failures.isEmpty()) {
            System.err.println("mooring lab: clean-up of " + namespace + " left: " + failures);
        }
    }

    @Override
    public String toString() {
        return "LabNetwork " + namespace;
    }
}
