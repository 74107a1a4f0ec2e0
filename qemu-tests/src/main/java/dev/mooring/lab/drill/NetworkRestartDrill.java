package dev.mooring.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mooring.image.build.BuildException;
import dev.mooring.image.build.OemContent;
import dev.mooring.image.build.SeedImage;
import dev.mooring.image.build.Tools;
import dev.mooring.lab.CommandChannel;
import dev.mooring.lab.ExecResult;
import dev.mooring.lab.LabException;
import dev.mooring.lab.LabMachine;
import dev.mooring.lab.LabNetwork;
import dev.mooring.lab.Poll;
import dev.mooring.lab.Wait;
import dev.mooring.overlay.address.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.function.Consumer;

/**
 * The network-restart drill: N machines from one image, each with its own seed, boot to
 * overlay-ready with etcd across all of them; then every cable is pulled (QMP set_link off), the
 * DHCP server restarts on the other subnet with an empty lease file, and the cables go back in.
 * Checks: every underlay address changed, no overlay address changed, all pairs and the VIP answer
 * over the overlay again, etcd is healthy with all members and every acknowledged write is still
 * there. With the overlay disabled (the control run) etcd is bound to the underlay, and the same
 * restart should leave it without a quorum.
 */
public final class NetworkRestartDrill {

    /** The drill's settings; {@link #defaults(LabImage)} for the usual ones. */
    public record Settings(LabImage image, int nodes, String userDataTemplate, boolean overlay, CommandChannel.Kind channel,
                           int memoryMb, Duration bootTimeout, Duration recoveryTimeout, Optional<Path> workDir) {
        public Settings {
            Objects.requireNonNull(image, "image");
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("nodes: expected 1..9, got " + nodes);
            }
            if (channel == CommandChannel.Kind.NONE) {
                throw new IllegalArgumentException("channel: the drill needs a command channel (shell or agent)");
            }
        }

        public static Settings defaults(LabImage image) {
            return new Settings(image, 3, NodeUserData.DEFAULT_TEMPLATE, true, CommandChannel.Kind.SERIAL_SHELL, 1024,
                    Duration.ofMinutes(10), Duration.ofMinutes(5), Optional.empty());
        }

        public Settings withNodes(int n) {
            return new Settings(image, n, userDataTemplate, overlay, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withOverlay(boolean on) {
            return new Settings(image, nodes, userDataTemplate, on, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withUserDataTemplate(String template) {
            return new Settings(image, nodes, template, overlay, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withChannel(CommandChannel.Kind kind) {
            return new Settings(image, nodes, userDataTemplate, overlay, kind, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        /** How long each recovery check may take after the links come back. */
        public Settings withRecoveryTimeout(Duration timeout) {
            return new Settings(image, nodes, userDataTemplate, overlay, channel, memoryMb, bootTimeout, timeout, workDir);
        }

        public Settings withWorkDir(Path dir) {
            return new Settings(image, nodes, userDataTemplate, overlay, channel, memoryMb, bootTimeout, recoveryTimeout, Optional.of(dir));
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;
    private final DrillReport report;
    private final List<LabMachine> machines = new ArrayList<>();
    private final Map<LabMachine, String> overlayBefore = new LinkedHashMap<>();
    private final Map<LabMachine, Ipv4Address> underlayBefore = new LinkedHashMap<>();
    private final Map<LabMachine, Duration> bootToReady = new LinkedHashMap<>();
    private final Map<String, String> acknowledged = new LinkedHashMap<>();

    private NetworkRestartDrill(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
        this.report = new DrillReport(settings.overlay() ? "network-restart" : "network-restart (control: overlay disabled)", Instant.now());
    }

    /** Runs the drill; never throws for a failed check or a timeout: the report says what failed. */
    public static DrillReport run(Settings settings, Consumer<String> progress) throws InterruptedException {
        NetworkRestartDrill drill = new NetworkRestartDrill(settings, progress);
        drill.execute();
        return drill.report;
    }

    private void say(String node, String what) {
        report.event(node, what);
        progress.accept(node + ": " + what);
    }

    private void execute() throws InterruptedException {
        LabNetwork.Builder builder = LabNetwork.builder();
        settings.workDir().ifPresent(builder::withWorkDir);
        try (LabNetwork net = builder.start()) {
            say("lab", "network " + net.namespace() + " serving " + net.subnet());
            boot(net);
            restart(net);
        } catch (LabException e) {
            report.abort(e.getMessage().lines().findFirst().orElse(e.toString()));
            progress.accept(e.getMessage());
        } finally {
            for (LabMachine m : machines) {
                if (!report.nodes().containsKey(m.name())) {
                    // The drill stopped before the restart's results: what was known by then.
                    report.node(new DrillReport.Node(m.name(), m.mac(), Optional.ofNullable(underlayBefore.get(m)).map(Object::toString),
                            Optional.empty(), Optional.ofNullable(overlayBefore.get(m)), Optional.empty(), Optional.ofNullable(bootToReady.get(m))));
                }
            }
            report.finish();
        }
    }

    private void boot(LabNetwork net) throws InterruptedException {
        String key = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
        for (int i = 1; i <= settings.nodes(); i++) {
            String host = "node" + i;
            Path seed = seed(net, host, NodeUserData.render(settings.userDataTemplate(), Map.of(
                    "host", host, "index", Integer.toString(i), "bootstrap", Boolean.toString(i == 1),
                    "overlay", Boolean.toString(settings.overlay()), "key", key, "nodes", Integer.toString(settings.nodes())),
                    settings.channel() == CommandChannel.Kind.SERIAL_SHELL));
            machines.add(LabMachine.builder(host).withBoot(settings.image().boot()).withDisk(settings.image().disk()).withSeed(seed)
                    .withMemoryMb(settings.memoryMb()).withCommandChannel(settings.channel())
                    .waitingFor(Wait.allOf(Wait.forCommandChannel(), Wait.forLease())).withStartupTimeout(settings.bootTimeout())
                    .launch(net));
            say(host, "QEMU started");
        }
        for (LabMachine m : machines) {
            m.awaitReady();
            underlayBefore.put(m, m.lease().orElseThrow());
            say(m.name(), "command channel up, lease " + underlayBefore.get(m));
        }
        if (settings.overlay()) {
            for (LabMachine m : machines) {
                JsonNode status = Poll.until(settings.bootTimeout(), m.name() + ": /run/mooring/overlay.json says ready",
                        () -> GuestProbe.overlayStatus(m).filter(s -> s.path("state").asText().equals("ready")), () -> m.console().tail(20));
                bootToReady.put(m, Duration.between(m.started(), Instant.now()));
                overlayBefore.put(m, status.path("overlay").path("address").asText());
                say(m.name(), "overlay ready: " + overlayBefore.get(m) + " (" + DrillReport.seconds(bootToReady.get(m)) + " after QEMU start)");
                report.figure("boot-to-overlay-ready " + m.name(), bootToReady.get(m));
            }
            List<String> inactive = awaitUnits(settings.bootTimeout());
            report.check("boot: firstboot succeeded, overlay and etcd active", inactive.isEmpty(), String.join("; ", inactive));
            report.check("boot: all pairs and the VIP answer over the overlay", awaitOverlayPings(settings.bootTimeout()).isEmpty(), "");
        } else {
            startUnderlayEtcd();
        }
        boolean etcd = awaitEtcd(settings.bootTimeout());
        report.check("boot: etcd healthy with " + settings.nodes() + " members", etcd, etcdDetail());
        write("before", 5);
    }

    private void restart(LabNetwork net) throws InterruptedException {
        for (LabMachine m : machines) {
            m.setLink(false);
        }
        Instant linksDown = Instant.now();
        say("lab", "all links down");
        net.restart(LabNetwork.MOVED_SUBNET);
        say("lab", "dnsmasq restarted serving " + net.subnet() + ", leases cleared");
        // Some writes while the network is cut: an acknowledged one must survive like any other.
        write("during", 2);
        for (LabMachine m : machines) {
            m.setLink(true);
        }
        Instant linksUp = Instant.now();
        say("lab", "all links up");
        // Both recovery figures from one polling loop, each round asking every node for both: the
        // overlay pings and etcd's health, so neither figure waits for the other's check.
        Recovery recovery = awaitRecovery(linksUp, settings.recoveryTimeout());
        Map<LabMachine, Ipv4Address> after = new LinkedHashMap<>();
        List<String> unchanged = new ArrayList<>();
        for (LabMachine m : machines) {
            Ipv4Address lease = m.awaitLease(settings.recoveryTimeout());
            after.put(m, lease);
            say(m.name(), "new lease " + lease);
            if (lease.equals(underlayBefore.get(m)) || !LabNetwork.MOVED_SUBNET.contains(lease)) {
                unchanged.add(m.name() + " " + underlayBefore.get(m) + " -> " + lease);
            }
        }
        report.check("restart: every underlay address changed", unchanged.isEmpty(), String.join("; ", unchanged));
        Map<LabMachine, String> overlayAfter = new LinkedHashMap<>();
        if (settings.overlay()) {
            List<String> moved = new ArrayList<>();
            for (LabMachine m : machines) {
                JsonNode status = Poll.until(settings.recoveryTimeout(), m.name() + ": overlay.json shows the new underlay " + after.get(m),
                        () -> GuestProbe.overlayStatus(m).filter(s -> s.path("underlay").path("addresses").toString().contains("\"" + after.get(m) + "\"")),
                        () -> "");
                overlayAfter.put(m, status.path("overlay").path("address").asText());
                if (!overlayAfter.get(m).equals(overlayBefore.get(m))) {
                    moved.add(m.name() + " " + overlayBefore.get(m) + " -> " + overlayAfter.get(m));
                }
            }
            report.check("restart: no overlay address changed", moved.isEmpty(), String.join("; ", moved));
            recovery.pings().ifPresent(d -> report.figure("links-up-to-all-pairs-overlay-ping", d));
            report.check("restart: all pairs and the VIP answer over the overlay", recovery.pings().isPresent(),
                    String.join("; ", recovery.unreachable()));
        }
        recovery.etcd().ifPresent(d -> report.figure("links-up-to-etcd-healthy", d));
        report.check("restart: etcd healthy with all " + settings.nodes() + " members", recovery.etcd().isPresent(), etcdDetail());
        write("after", 5);
        List<String> lost = new ArrayList<>();
        for (LabMachine m : machines) {
            for (Map.Entry<String, String> w : acknowledged.entrySet()) {
                Optional<String> read = GuestProbe.get(m, w.getKey());
                if (!read.equals(Optional.of(w.getValue()))) {
                    lost.add(m.name() + " reads " + w.getKey() + " as " + read.orElse("(nothing)"));
                }
            }
        }
        report.check("restart: no acknowledged write lost (" + acknowledged.size() + " writes, read on every node)",
                !acknowledged.isEmpty() && lost.isEmpty(), lost.isEmpty() ? "" : String.join("; ", lost.subList(0, Math.min(5, lost.size()))));
        for (LabMachine m : machines) {
            report.node(new DrillReport.Node(m.name(), m.mac(), Optional.ofNullable(underlayBefore.get(m)).map(Object::toString),
                    Optional.ofNullable(after.get(m)).map(Object::toString), Optional.ofNullable(overlayBefore.get(m)),
                    Optional.ofNullable(overlayAfter.get(m)), Optional.ofNullable(bootToReady.get(m))));
        }
        report.figure("restart-total (links down to checks done)", Duration.between(linksDown, Instant.now()));
    }

    /**
     * Polls until, on every node, first boot succeeded and the overlay and etcd are active; returns
     * the nodes that were still not there at the deadline. etcd starts some seconds after the overlay
     * is ready (k8s-prepare waits for every control-plane host, then starts it), so one look right
     * after overlay-ready would race it.
     */
    private List<String> awaitUnits(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> inactive = new ArrayList<>();
        while (true) {
            inactive.clear();
            for (LabMachine m : machines) {
                String out = GuestProbe.tryExec(m, "systemctl is-active mooring-overlay.service etcd.service; systemctl show -p Result --value mooring-firstboot.service",
                        GuestProbe.SHORT).map(ExecResult::output).orElse("(no answer within " + GuestProbe.SHORT.toSeconds() + " s)");
                if (!out.strip().equals("active\nactive\nsuccess")) {
                    inactive.add(m.name() + ": " + out.strip().replace('\n', ' '));
                }
            }
            if (inactive.isEmpty() || System.nanoTime() - deadline > 0) {
                return List.copyOf(inactive);
            }
            Thread.sleep(2000);
        }
    }

    /** When, after the links came up, all pairs answered over the overlay and etcd was healthy (empty: not within the timeout). */
    private record Recovery(Optional<Duration> pings, Optional<Duration> etcd, List<String> unreachable) {}

    private Recovery awaitRecovery(Instant linksUp, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Duration> pings = settings.overlay() ? Optional.empty() : Optional.of(Duration.ZERO);
        Optional<Duration> etcd = Optional.empty();
        List<String> unreachable = List.of();
        while (true) {
            if (pings.isEmpty()) {
                unreachable = overlayPingRound();
                if (unreachable.isEmpty()) {
                    pings = Optional.of(Duration.between(linksUp, Instant.now()));
                    say("lab", "all pairs and the VIP answer over the overlay (" + DrillReport.seconds(pings.get()) + " after links up)");
                }
            }
            if (etcd.isEmpty() && etcdRound()) {
                etcd = Optional.of(Duration.between(linksUp, Instant.now()));
                say("etcd", "healthy with all " + settings.nodes() + " members (" + DrillReport.seconds(etcd.get()) + " after links up)");
            }
            if ((pings.isPresent() && etcd.isPresent()) || System.nanoTime() - deadline > 0) {
                return new Recovery(settings.overlay() ? pings : Optional.empty(), etcd, unreachable);
            }
            Thread.sleep(500);
        }
    }

    /** One round: every node pings every other's overlay address and the VIP; what did not answer. */
    private List<String> overlayPingRound() throws InterruptedException {
        List<String> failed = new ArrayList<>();
        for (LabMachine m : machines) {
            List<String> targets = new ArrayList<>();
            overlayBefore.forEach((other, address) -> {
                if (other != m) {
                    targets.add(address);
                }
            });
            targets.add("100.64.192.1");
            for (String t : GuestProbe.unreachable(m, targets)) {
                failed.add(m.name() + "->" + t);
            }
        }
        return failed;
    }

    /** One round: every node's etcd answers a linearizable read and lists all members. */
    private boolean etcdRound() throws InterruptedException {
        boolean all = true;
        StringBuilder seen = new StringBuilder();
        for (LabMachine m : machines) {
            GuestProbe.Etcd e = GuestProbe.etcd(m);
            seen.append(m.name()).append(": ").append(e.healthy() ? "healthy" : "unhealthy").append(", members ").append(e.members()).append("; ");
            all &= e.healthy() && e.members().size() == settings.nodes();
        }
        lastEtcd = seen.toString();
        return all;
    }

    /** Polls until every node reaches every other's overlay address and the VIP; returns what still failed. */
    private List<String> awaitOverlayPings(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> failed = overlayPingRound();
            if (failed.isEmpty() || System.nanoTime() - deadline > 0) {
                return failed;
            }
        }
    }

    /**
     * The control run: no overlay, so no {@code mooring k8s prepare} (it waits for the overlay's status
     * file that never comes). etcd is configured as a site without Mooring would: by hand, on the
     * DHCP addresses the hosts have now.
     */
    private void startUnderlayEtcd() throws InterruptedException {
        Map<String, Ipv4Address> members = new LinkedHashMap<>();
        machines.forEach(m -> members.put(m.name(), underlayBefore.get(m)));
        for (LabMachine m : machines) {
            m.exec(UnderlayEtcd.installAndStart(UnderlayEtcd.environment(m.name(), members, "lab")), GuestProbe.SHORT).orThrow();
        }
        say("etcd", "control run: etcd configured on the underlay addresses " + members.values() + " and started");
    }

    private String lastEtcd = "";

    private boolean awaitEtcd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (etcdRound()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(1000);
        }
    }

    private String etcdDetail() {
        return lastEtcd;
    }

    private void write(String phase, int count) throws InterruptedException {
        int acked = 0;
        for (int i = 1; i <= count; i++) {
            LabMachine m = machines.get(i % machines.size());
            String key = "mooring-lab/" + phase + "/" + i;
            String value = phase + "-" + i + "-" + System.nanoTime();
            if (GuestProbe.put(m, key, value).isPresent()) {
                acknowledged.put(key, value);
                acked++;
            }
        }
        say("etcd", phase + ": " + acked + " of " + count + " writes acknowledged");
    }

    private static Path seed(LabNetwork net, String host, String userData) {
        try {
            Path dir = Files.createDirectories(net.directory().resolve("seeds").resolve(host));
            Path file = dir.resolve("user-data");
            Files.writeString(file, userData);
            Path image = dir.resolve("seed.img");
            new SeedImage(Tools.forBuild(315532800L)).make(new OemContent(file, Optional.empty(), Optional.empty()), image);
            return image;
        } catch (IOException e) {
            throw new LabException("cannot write the seed of " + host + ": " + e.getMessage(), e);
        } catch (BuildException e) {
            throw new LabException("cannot write the seed of " + host + ": " + e.getMessage() + " (" + e.hint() + ")", e);
        }
    }
}
