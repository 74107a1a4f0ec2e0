package dev.mooring.lab;

import dev.mooring.lab.qmp.QmpClient;
import dev.mooring.overlay.address.Cidr;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One QEMU machine on a {@link LabNetwork}: TCG ({@code -machine q35 -accel tcg -cpu qemu64 -smp 1};
 * this host has no usable KVM), direct kernel boot or OVMF, a qcow2 overlay per machine on a shared
 * base image, a per-machine seed disk, virtio-net on its own tap with a fixed MAC, the serial
 * console captured with timestamps, QMP on a unix socket and a command channel into the guest.
 *
 * <pre>{@code
 * try (LabNetwork net = LabNetwork.builder().start();
 *      LabMachine node = LabMachine.builder("node1")
 *              .withBoot(new BootMode.DirectKernel(kernel, initrd, "root=/dev/vda2 rw"))
 *              .withDisk(image).withSeed(seed)
 *              .waitingFor(Wait.forConsoleLine("mooring-overlay: ready"))
 *              .start(net)) {
 *     node.exec("cat /run/mooring/overlay.json", Duration.ofSeconds(10)).orThrow();
 * }
 * }</pre>
 */
public final class LabMachine implements AutoCloseable {
    /** The NIC's QMP name, for {@code set_link}. */
    static final String NIC = "nic0";

    private final Spec spec;
    private final LabNetwork network;
    private final Tap tap;
    private final Path dir;
    // One QEMU process per power-on: powerOff() ends it, powerOn() starts the next on the same disk and tap.
    private volatile LabProcess qemu;
    private volatile SerialConsole console;
    private volatile Instant started;
    private volatile QmpClient qmp;
    private volatile CommandChannel channel;
    private boolean closed;

    /** Everything that defines a machine; {@link #qemuCommand} turns it into QEMU's command line. */
    public record Spec(String name, BootMode boot, Optional<Path> disk, Optional<Path> seed, int memoryMb,
                       CommandChannel.Kind channel, WaitStrategy waitStrategy, Duration startupTimeout, String cpu) {
        public Spec {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[a-z0-9][a-z0-9-]{0,30}")) {
                throw new IllegalArgumentException("name: expected 1-31 of a-z, 0-9 and '-', got '" + name + "'");
            }
            Objects.requireNonNull(boot, "boot (withBoot)");
            if (!cpu.matches("[a-zA-Z0-9_.,+=-]+")) {
                throw new IllegalArgumentException("cpu: expected a QEMU CPU model such as qemu64 or max, got '" + cpu + "'");
            }
            if (memoryMb < 128 || memoryMb > 8192) {
                throw new IllegalArgumentException("memoryMb: expected 128..8192, got " + memoryMb);
            }
        }

        /**
         * QEMU's command line for this machine on {@code tap}, with its files in {@code dir}: the disk
         * overlay {@code disk.qcow2}, {@code OVMF_VARS.fd}, sockets {@code qmp.sock}, {@code ttyS1.sock},
         * {@code qga.sock}. The console is the first serial port on stdout.
         */
        public List<String> qemuCommand(Tap tap, Path dir) {
            List<String> c = new ArrayList<>(List.of("qemu-system-x86_64",
                    "-name", name,
                    "-machine", "q35", "-accel", "tcg", "-cpu", cpu, "-smp", "1", "-m", Integer.toString(memoryMb),
                    "-nodefaults", "-no-user-config", "-display", "none",
                    "-serial", "stdio",
                    "-chardev", "socket,id=ttyS1,path=" + dir.resolve("ttyS1.sock") + ",server=on,wait=off",
                    "-serial", "chardev:ttyS1",
                    "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                    "-netdev", "tap,id=net0,ifname=" + tap.name() + ",script=no,downscript=no",
                    // romfile= : no iPXE option ROM, nothing to network-boot and it costs boot time.
                    "-device", "virtio-net-pci,id=" + NIC + ",netdev=net0,mac=" + tap.mac() + ",romfile=",
                    "-device", "virtio-rng-pci"));
            BootMode effective = boot;
            if (boot instanceof BootMode.DirectKernel k && channel == CommandChannel.Kind.SERIAL_SHELL && !k.append().contains("mooring.lab=1")) {
                // The image's lab shell unit runs only with this on the command line (docs/lab.md).
                effective = new BootMode.DirectKernel(k.kernel(), k.initrd(), k.append() + " mooring.lab=1");
            }
            c.addAll(effective.qemuArguments(dir.resolve("OVMF_VARS.fd")));
            if (disk.isPresent()) {
                c.addAll(List.of("-drive", "if=virtio,format=qcow2,file=" + dir.resolve("disk.qcow2")));
            }
            seed.ifPresent(s -> c.addAll(List.of("-drive", "if=virtio,format=raw,readonly=on,file=" + s.toAbsolutePath())));
            if (channel == CommandChannel.Kind.GUEST_AGENT) {
                c.addAll(List.of("-device", "virtio-serial-pci",
                        "-chardev", "socket,id=qga,path=" + dir.resolve("qga.sock") + ",server=on,wait=off",
                        "-device", "virtserialport,chardev=qga,name=org.qemu.guest_agent.0"));
            }
            return List.copyOf(c);
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Fluent machine settings; {@link #start(LabNetwork)} boots it. */
    public static final class Builder {
        private final String name;
        private BootMode boot;
        private Path disk;
        private Path seed;
        private int memoryMb = 768;
        private CommandChannel.Kind channel = CommandChannel.Kind.SERIAL_SHELL;
        private WaitStrategy waitStrategy = Wait.none();
        private Duration startupTimeout = Duration.ofMinutes(5);
        private String cpu = "qemu64";

        private Builder(String name) {
            this.name = name;
        }

        public Builder withBoot(BootMode boot) {
            this.boot = Objects.requireNonNull(boot, "boot");
            return this;
        }

        /** The shared base image (raw or qcow2); the machine writes to its own qcow2 overlay on it. */
        public Builder withDisk(Path baseImage) {
            this.disk = Objects.requireNonNull(baseImage, "baseImage");
            return this;
        }

        /** A NoCloud seed (CIDATA vfat or ISO), attached read-only as the second virtio disk. */
        public Builder withSeed(Path seed) {
            this.seed = Objects.requireNonNull(seed, "seed");
            return this;
        }

        /**
         * The QEMU CPU model (default qemu64, the fastest under TCG). A guest whose code was compiled
         * for newer CPUs (a JVM AOT cache made on an AVX host) dies of SIGILL on qemu64: use max.
         */
        public Builder withCpu(String cpu) {
            this.cpu = Objects.requireNonNull(cpu, "cpu");
            return this;
        }

        public Builder withMemoryMb(int memoryMb) {
            this.memoryMb = memoryMb;
            return this;
        }

        public Builder withCommandChannel(CommandChannel.Kind channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        public Builder waitingFor(WaitStrategy waitStrategy) {
            this.waitStrategy = Objects.requireNonNull(waitStrategy, "waitStrategy");
            return this;
        }

        public Builder withStartupTimeout(Duration startupTimeout) {
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout: expected a positive duration, got " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        public Spec spec() {
            return new Spec(name, boot, Optional.ofNullable(disk), Optional.ofNullable(seed), memoryMb, channel, waitStrategy, startupTimeout, cpu);
        }

        /** Starts QEMU on a new tap of {@code network} and waits with the wait strategy. */
        public LabMachine start(LabNetwork network) throws InterruptedException {
            LabMachine machine = LabMachine.launch(spec(), network);
            try {
                machine.spec.waitStrategy().waitUntilReady(machine, machine.spec.startupTimeout());
                return machine;
            } catch (RuntimeException | InterruptedException e) {
                machine.close();
                throw e;
            }
        }

        /** Starts QEMU without waiting, so several machines boot at once; then {@link LabMachine#awaitReady()}. */
        public LabMachine launch(LabNetwork network) throws InterruptedException {
            return LabMachine.launch(spec(), network);
        }
    }

    private LabMachine(Spec spec, LabNetwork network, Tap tap, Path dir) {
        this.spec = spec;
        this.network = network;
        this.tap = tap;
        this.dir = dir;
    }

    private static LabMachine launch(Spec spec, LabNetwork network) throws InterruptedException {
        Path dir = network.directory().resolve(spec.name());
        try {
            if (Files.exists(dir)) {
                throw new IllegalArgumentException("name: a machine '" + spec.name() + "' already exists on " + network.namespace());
            }
            Files.createDirectories(dir);
            if (spec.disk().isPresent()) {
                Path base = spec.disk().get().toAbsolutePath();
                if (!Files.isRegularFile(base)) {
                    throw new LabException("disk image " + base + " does not exist; build it with `mooring image build` (docs/image.md)");
                }
                HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", imageFormat(base),
                        dir.resolve("disk.qcow2").toString()).orThrow();
            }
            if (spec.boot() instanceof BootMode.Uefi uefi) {
                Files.copy(uefi.varsTemplate(), dir.resolve("OVMF_VARS.fd"), StandardCopyOption.REPLACE_EXISTING);
            }
            if (spec.boot() instanceof BootMode.DirectKernel k) {
                for (Path p : List.of(k.kernel(), k.initrd())) {
                    if (!Files.isRegularFile(p)) {
                        throw new LabException("direct kernel boot: " + p + " does not exist");
                    }
                }
            }
        } catch (IOException e) {
            throw new LabException(spec.name() + ": cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        Tap tap = network.attach();
        LabMachine machine = new LabMachine(spec, network, tap, dir);
        network.own(machine);
        Reaper.register(machine);
        try {
            machine.startQemu();
        } catch (RuntimeException | InterruptedException e) {
            machine.close();
            throw e;
        }
        return machine;
    }

    /** Starts QEMU on the machine's disk, seed and tap, and connects QMP and the command channel. */
    private void startQemu() throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", network.namespace()));
        command.addAll(spec.qemuCommand(tap, dir));
        Instant now = Instant.now();
        long startNanos = System.nanoTime();
        LabProcess process = LabProcess.startPiped("qemu " + spec.name(), command, dir.resolve("qemu.log"));
        SerialConsole lines = new SerialConsole(now, startNanos, dir.resolve("console.log"));
        lines.follow(process.stdout(), spec.name());
        qemu = process;
        console = lines;
        started = now;
        network.event(spec.name() + ": QEMU started (pid " + process.pid() + ", " + tap.name() + ", " + tap.mac() + ")");
        connect();
    }

    private static String imageFormat(Path image) {
        String name = image.getFileName().toString();
        if (name.endsWith(".qcow2")) {
            return "qcow2";
        }
        return "raw";
    }

    private void connect() throws InterruptedException {
        Duration socketWait = Duration.ofSeconds(30);
        qmp = Poll.until(socketWait, spec.name() + ": QMP socket accepts", () -> {
            if (!qemu.isAlive()) {
                throw new LabException(spec.name() + ": QEMU exited " + qemu.exitCode().orElse(-1) + ": " + qemu.output());
            }
            return Optional.of(QmpClient.connect(dir.resolve("qmp.sock")));
        }, qemu::output);
        switch (spec.channel()) {
            case SERIAL_SHELL -> {
                SerialShellChannel shell = new SerialShellChannel(dir.resolve("ttyS1.sock"), spec.name());
                shell.connect(socketWait);
                channel = shell;
            }
            case GUEST_AGENT -> {
                GuestAgentChannel agent = new GuestAgentChannel(dir.resolve("qga.sock"), spec.name());
                agent.connect(socketWait);
                channel = agent;
            }
            case NONE -> channel = null;
        }
    }

    /** Waits with the machine's wait strategy and startup timeout (after {@link Builder#launch}). */
    public void awaitReady() throws InterruptedException {
        spec.waitStrategy().waitUntilReady(this, spec.startupTimeout());
    }

    public String name() {
        return spec.name();
    }

    public Spec spec() {
        return spec;
    }

    public Tap tap() {
        return tap;
    }

    public String mac() {
        return tap.mac();
    }

    public LabNetwork network() {
        return network;
    }

    /** The machine's folder: console.log, qemu.log, disk.qcow2, sockets. */
    public Path directory() {
        return dir;
    }

    public Instant started() {
        return started;
    }

    public SerialConsole console() {
        return console;
    }

    public long qemuPid() {
        return qemu.pid();
    }

    public boolean isRunning() {
        return qemu.isAlive();
    }

    /** The command channel; fails when the machine was built with {@link CommandChannel.Kind#NONE}. */
    public CommandChannel commandChannel() {
        if (channel == null) {
            throw new IllegalStateException(spec.name() + " has no command channel (CommandChannel.Kind.NONE)");
        }
        return channel;
    }

    /** Runs {@code command} with {@code /bin/sh} in the guest. */
    public ExecResult exec(String command, Duration timeout) throws InterruptedException {
        return commandChannel().exec(command, timeout);
    }

    /** The address dnsmasq leased to this machine's MAC, if any (from the lease file). */
    public Optional<Ipv4Address> lease() {
        return network.lease(tap.mac());
    }

    /** Waits for a lease from the subnet dnsmasq serves now. */
    public Ipv4Address awaitLease(Duration timeout) throws InterruptedException {
        return Poll.until(timeout, spec.name() + " (" + tap.mac() + ") has a lease", () -> {
            Cidr subnet = network.subnet();
            return lease().filter(subnet::contains);
        }, () -> "leases: " + network.leases() + "\n" + console.tail(15));
    }

    /** Plugs the virtual cable in or pulls it (QMP {@code set_link}); the guest sees carrier change. */
    public void setLink(boolean up) {
        qmp(() -> qmp.setLink(NIC, up));
        network.event(spec.name() + ": link " + (up ? "up" : "down"));
    }

    /** The reset button (QMP {@code system_reset}). */
    public void reset() {
        qmp(() -> qmp.systemReset());
        network.event(spec.name() + ": reset");
    }

    /** The ACPI power button (QMP {@code system_powerdown}); the guest decides what to do. */
    public void powerdown() {
        qmp(() -> qmp.systemPowerdown());
        network.event(spec.name() + ": power button");
    }

    /** Power cord out: QMP {@code quit}, then waits for QEMU to exit. */
    public void quit(Duration timeout) throws InterruptedException {
        try {
            qmp.quit();
        } catch (IOException e) {
            // QEMU closes the socket while answering quit; the exit below is what counts.
        }
        Poll.until(timeout, spec.name() + ": QEMU exits after quit", () -> !qemu.isAlive());
        network.event(spec.name() + ": quit");
    }

    /**
     * Power cord out (QMP {@code quit}, nothing flushed in the guest); the disk, the seed and the tap
     * stay, so {@link #powerOn()} boots the same machine again.
     */
    public void powerOff(Duration timeout) throws InterruptedException {
        quit(timeout);
        disconnect();
    }

    /** Boots the machine again after {@link #powerOff}: a new QEMU on the same disk, seed, MAC and tap. */
    public void powerOn() throws InterruptedException {
        if (qemu.isAlive()) {
            throw new IllegalStateException(spec.name() + " is running; power it off first");
        }
        startQemu();
    }

    private void disconnect() {
        CommandChannel c = channel;
        if (c != null) {
            c.close();
        }
        QmpClient q = qmp;
        if (q != null) {
            q.close();
        }
    }

    /** Waits for QEMU to exit on its own (after a power-off in the guest). */
    public void awaitExit(Duration timeout) throws InterruptedException {
        Poll.until(timeout, spec.name() + ": QEMU exits", () -> !qemu.isAlive());
    }

    /** QMP's events so far (RESET, SHUTDOWN, ...), as far as they were read. */
    public List<QmpClient.Event> qmpEvents() {
        return qmp == null ? List.of() : qmp.events();
    }

    private interface QmpCall {
        void run() throws IOException, InterruptedException;
    }

    private void qmp(QmpCall call) {
        try {
            call.run();
        } catch (IOException e) {
            throw new LabException(spec.name() + ": QMP: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException(spec.name() + ": interrupted during a QMP command", e);
        }
    }

    /** Kills QEMU by PID (SIGTERM, then SIGKILL) and closes the sockets; the tap goes with the network. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        disconnect();
        LabProcess process = qemu;
        if (process != null) {
            process.stop(Duration.ofSeconds(3));
        }
        network.disown(this);
        Reaper.unregister(this);
    }

    @Override
    public String toString() {
        return "LabMachine " + spec.name() + " (" + network.namespace() + ")";
    }
}
