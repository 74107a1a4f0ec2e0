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
import dev.mooring.overlay.address.Cidr;
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
import java.util.stream.Collectors;

/**
 * A drill in the QEMU lab: N machines from one image, each with its own seed, boot to
 * overlay-ready with etcd across all of them; then the {@link Scenario}s run in order, each ending
 * with its checks. The network restart pulls every cable (QMP set_link off), restarts the DHCP
 * server on the other subnet with an empty lease file and puts the cables back: every underlay
 * address changed, no overlay address changed, all pairs and the VIP answer over the overlay again,
 * etcd is healthy with all members and every acknowledged write is still there. The power steps
 * check the same after a reset or a power cut. With the overlay disabled at boot (a control run)
 * etcd is bound to the underlay, and the same restart should leave it without a quorum.
 */
public final class LabDrill {

    /** The drill's settings; {@link #defaults(LabImage)} for the usual ones. */
    public record Settings(LabImage image, int nodes, String userDataTemplate, boolean overlay, boolean hub, List<Scenario> scenarios,
                           CommandChannel.Kind channel, int memoryMb, Duration bootTimeout, Duration recoveryTimeout,
                           Optional<Path> workDir) {
        public Settings {
            Objects.requireNonNull(image, "image");
            scenarios = List.copyOf(scenarios);
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("nodes: expected 1..9, got " + nodes);
            }
            if (channel == CommandChannel.Kind.NONE) {
                throw new IllegalArgumentException("channel: the drill needs a command channel (shell or agent)");
            }
            if (scenarios.isEmpty()) {
                throw new IllegalArgumentException("scenarios: name at least one, e.g. network-restart");
            }
            if (hub && !overlay) {
                throw new IllegalArgumentException("--hub and --no-overlay: the hub assigns overlay addresses; the control run has none");
            }
            if (!overlay && !scenarios.equals(List.of(Scenario.NETWORK_RESTART))) {
                throw new IllegalArgumentException("with the overlay disabled (the control run) the only scenario is network-restart");
            }
            if (scenarios.contains(Scenario.VIP_HOLDER_OFF) && nodes < 3) {
                throw new IllegalArgumentException("vip-holder-off: needs at least 3 nodes, so etcd keeps a quorum without the holder");
            }
            int control = scenarios.indexOf(Scenario.CONTROL_OVERLAY_OFF);
            if (control >= 0 && control != scenarios.size() - 1) {
                throw new IllegalArgumentException("control-overlay-off: must be the last scenario (it switches the overlay off for good)");
            }
        }

        public static Settings defaults(LabImage image) {
            return new Settings(image, 3, NodeUserData.DEFAULT_TEMPLATE, true, false, List.of(Scenario.NETWORK_RESTART),
                    CommandChannel.Kind.SERIAL_SHELL, 1024, Duration.ofMinutes(10), Duration.ofMinutes(5), Optional.empty());
        }

        public Settings withNodes(int n) {
            return new Settings(image, n, userDataTemplate, overlay, hub, scenarios, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withOverlay(boolean on) {
            return new Settings(image, nodes, userDataTemplate, on, hub, scenarios, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withScenarios(List<Scenario> list) {
            return new Settings(image, nodes, userDataTemplate, overlay, hub, list, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        /**
         * Machines register with a real hub on the lab network ({@link LabHub}); the default template
         * becomes {@link NodeUserData#HUB_TEMPLATE}. Without it the drill is air-gapped: the overlay's
         * settings come from the user-data alone.
         */
        public Settings withHub(boolean on) {
            String template = on && userDataTemplate.equals(NodeUserData.DEFAULT_TEMPLATE) ? NodeUserData.HUB_TEMPLATE
                    : !on && userDataTemplate.equals(NodeUserData.HUB_TEMPLATE) ? NodeUserData.DEFAULT_TEMPLATE : userDataTemplate;
            return new Settings(image, nodes, template, overlay, on, scenarios, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withUserDataTemplate(String template) {
            return new Settings(image, nodes, template, overlay, hub, scenarios, channel, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withChannel(CommandChannel.Kind kind) {
            return new Settings(image, nodes, userDataTemplate, overlay, hub, scenarios, kind, memoryMb, bootTimeout, recoveryTimeout, workDir);
        }

        public Settings withMemoryMb(int mb) {
            return new Settings(image, nodes, userDataTemplate, overlay, hub, scenarios, channel, mb, bootTimeout, recoveryTimeout, workDir);
        }

        /** How long each recovery check may take after the links come back. */
        public Settings withRecoveryTimeout(Duration timeout) {
            return new Settings(image, nodes, userDataTemplate, overlay, hub, scenarios, channel, memoryMb, bootTimeout, timeout, workDir);
        }

        public Settings withWorkDir(Path dir) {
            return new Settings(image, nodes, userDataTemplate, overlay, hub, scenarios, channel, memoryMb, bootTimeout, recoveryTimeout, Optional.of(dir));
        }
    }

    private final Settings settings;
    private LabHub hub;
    private final Consumer<String> progress;
    private final DrillReport report;
    private final List<LabMachine> machines = new ArrayList<>();
    private final Map<LabMachine, String> overlayBefore = new LinkedHashMap<>();
    private final Map<LabMachine, Ipv4Address> underlayBefore = new LinkedHashMap<>();
    private final Map<LabMachine, Duration> bootToReady = new LinkedHashMap<>();
    private final Map<String, String> acknowledged = new LinkedHashMap<>();

    private LabDrill(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
        String steps = settings.scenarios().stream().map(Scenario::id).collect(Collectors.joining(", "));
        this.report = new DrillReport(settings.overlay() ? steps : steps + " (control: overlay disabled)", Instant.now());
    }

    /** Runs the drill; never throws for a failed check or a timeout: the report says what failed. */
    public static DrillReport run(Settings settings, Consumer<String> progress) throws InterruptedException {
        LabDrill drill = new LabDrill(settings, progress);
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
            if (settings.hub()) {
                hub = LabHub.start(net);
                say("hub", "serving " + hub.endpoint() + " (pid " + hub.pid() + ")");
            }
            boot(net);
            for (Scenario step : settings.scenarios()) {
                switch (step) {
                    case NETWORK_RESTART -> restart(net);
                    case VIP_HOLDER_OFF -> vipHolderOff();
                    case POWER_CYCLE_ONE -> powerCycle(step, List.of(machines.getLast()));
                    case POWER_CYCLE_ALL -> powerCycle(step, machines);
                    case CONTROL_OVERLAY_OFF -> controlOverlayOff(net);
                }
            }
        } catch (LabException e) {
            report.abort(e.getMessage().lines().findFirst().orElse(e.toString()));
            progress.accept(e.getMessage());
        } finally {
            if (hub != null) {
                hub.close();
            }
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
        Map<String, String> common = new LinkedHashMap<>();
        if (hub != null) {
            // The hub makes the cluster's key; first boot takes it (and the CIDR and VIP) from the hub.
            LabHub.Cluster cluster = hub.createCluster(NodeUserData.CLUSTER, Cidr.parse(NodeUserData.OVERLAY_CIDR),
                    Ipv4Address.parse(NodeUserData.OVERLAY_VIP));
            common.put("key", cluster.key());
            common.put("hub", hub.endpoint().toString());
            common.put("token", hub.joinToken(cluster.name()).token());
        } else {
            common.put("key", Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)));
        }
        for (int i = 1; i <= settings.nodes(); i++) {
            String host = "node" + i;
            Map<String, String> values = new LinkedHashMap<>(common);
            values.putAll(Map.of("host", host, "index", Integer.toString(i), "bootstrap", Boolean.toString(i == 1),
                    "overlay", Boolean.toString(settings.overlay()), "nodes", Integer.toString(settings.nodes())));
            Path seed = seed(net, host, NodeUserData.render(settings.userDataTemplate(), values,
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
            if (hub != null) {
                checkHub("boot", underlayBefore);
            }
        } else {
            startUnderlayEtcd();
        }
        boolean etcd = awaitEtcd(settings.bootTimeout());
        report.check("boot: etcd healthy with " + settings.nodes() + " members", etcd, etcdDetail());
        write("before", 5, machines);
    }

    /** How long the cables stay out at least: long enough for every guest to see its carrier go. */
    private static final Duration CABLES_OUT = Duration.ofSeconds(10);

    private interface WhileOut {
        void run() throws InterruptedException;
    }

    /**
     * The site's network restart: every cable out, the DHCP server restarted on the other subnet with
     * no leases, {@code whileOut} run, and after at least {@link #CABLES_OUT} the cables back in (a
     * blip of a second can pass unseen by a busy guest, which then keeps its lease until it renews).
     * Returns when the links came up.
     */
    private Instant cutCables(LabNetwork net, String label, WhileOut whileOut) throws InterruptedException {
        for (LabMachine m : machines) {
            m.setLink(false);
        }
        Instant down = Instant.now();
        say("lab", label + "all links down");
        Cidr next = net.subnet().equals(LabNetwork.MOVED_SUBNET) ? LabNetwork.DEFAULT_SUBNET : LabNetwork.MOVED_SUBNET;
        net.restart(next);
        say("lab", label + "dnsmasq restarted serving " + next + ", leases cleared");
        whileOut.run();
        Duration left = CABLES_OUT.minus(Duration.between(down, Instant.now()));
        if (left.isPositive()) {
            Thread.sleep(left.toMillis());
        }
        for (LabMachine m : machines) {
            m.setLink(true);
        }
        say("lab", label + "all links up");
        return Instant.now();
    }

    private void restart(LabNetwork net) throws InterruptedException {
        Instant linksDown = Instant.now();
        // Some writes while the network is cut: an acknowledged one must survive like any other.
        Instant linksUp = cutCables(net, "", () -> write("during", 2, machines));
        // Both recovery figures from one polling loop, each round asking every node for both: the
        // overlay pings and etcd's health, so neither figure waits for the other's check.
        Recovery recovery = awaitRecovery(linksUp, settings.recoveryTimeout());
        Map<LabMachine, Ipv4Address> after = new LinkedHashMap<>();
        List<String> unchanged = new ArrayList<>();
        for (LabMachine m : machines) {
            Ipv4Address lease = m.awaitLease(settings.recoveryTimeout());
            after.put(m, lease);
            say(m.name(), "new lease " + lease);
            if (lease.equals(underlayBefore.get(m)) || !net.subnet().contains(lease)) {
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
            if (hub != null) {
                checkHub("restart", after);
            }
            recovery.pings().ifPresent(d -> report.figure("links-up-to-all-pairs-overlay-ping", d));
            report.check("restart: all pairs and the VIP answer over the overlay", recovery.pings().isPresent(),
                    String.join("; ", recovery.unreachable()));
        }
        recovery.etcd().ifPresent(d -> report.figure("links-up-to-etcd-healthy", d));
        report.check("restart: etcd healthy with all " + settings.nodes() + " members", recovery.etcd().isPresent(), etcdDetail());
        write("after", 5, machines);
        checkWrites("restart");
        for (LabMachine m : machines) {
            report.node(new DrillReport.Node(m.name(), m.mac(), Optional.ofNullable(underlayBefore.get(m)).map(Object::toString),
                    Optional.ofNullable(after.get(m)).map(Object::toString), Optional.ofNullable(overlayBefore.get(m)),
                    Optional.ofNullable(overlayAfter.get(m)), Optional.ofNullable(bootToReady.get(m))));
        }
        report.figure("restart-total (links down to checks done)", Duration.between(linksDown, Instant.now()));
    }

    /**
     * The host holding the VIP loses power: another host must take the VIP within seconds and etcd
     * keep its quorum on the others; then it is powered on again and must come back as it was.
     */
    private void vipHolderOff() throws InterruptedException {
        String step = Scenario.VIP_HOLDER_OFF.id();
        Optional<LabMachine> holder = Optional.empty();
        for (LabMachine m : machines) {
            if (holder.isEmpty() && holdsVip(m)) {
                holder = Optional.of(m);
            }
        }
        if (holder.isEmpty()) {
            report.check(step + ": a host holds the VIP", false, "no node's overlay.json says vip.held");
            return;
        }
        LabMachine off = holder.get();
        List<LabMachine> others = machines.stream().filter(m -> m != off).toList();
        off.powerOff(Duration.ofSeconds(30));
        Instant at = Instant.now();
        say(off.name(), "power cord out (QMP quit) while holding the VIP");
        long deadline = System.nanoTime() + settings.recoveryTimeout().toNanos();
        Optional<Duration> taken = Optional.empty();
        String newHolder = "";
        List<String> unreachable = List.of();
        while (taken.isEmpty() && System.nanoTime() - deadline < 0) {
            for (LabMachine m : others) {
                if (holdsVip(m)) {
                    newHolder = m.name();
                }
            }
            if (!newHolder.isEmpty()) {
                unreachable = overlayPingRound(others);
                if (unreachable.isEmpty()) {
                    taken = Optional.of(Duration.between(at, Instant.now()));
                    say(newHolder, "holds the VIP; the others reach it (" + DrillReport.seconds(taken.get()) + " after the power cut)");
                }
            }
            if (taken.isEmpty()) {
                Thread.sleep(500);
            }
        }
        taken.ifPresent(d -> report.figure(step + ": power cut to the VIP answering from another host", d));
        report.check(step + ": another host holds the VIP, and the hosts left reach it and each other", taken.isPresent(),
                newHolder.isEmpty() ? "no other host says it holds the VIP" : "held by " + newHolder + "; unreachable: " + String.join(", ", unreachable));
        boolean quorum = awaitEtcd(others, settings.recoveryTimeout());
        int acked = quorum ? write(step, 3, others) : 0;
        report.check(step + ": etcd keeps its quorum on the other " + others.size() + " hosts and acknowledges writes",
                quorum && acked == 3, etcdDetail() + " " + acked + " of 3 writes acknowledged");
        int next = settings.scenarios().indexOf(Scenario.VIP_HOLDER_OFF) + 1;
        if (next < settings.scenarios().size() && settings.scenarios().get(next) == Scenario.POWER_CYCLE_ALL) {
            // The site's power comes back for everyone at once: power-cycle-all powers it on with the others.
            say(off.name(), "stays off until power-cycle-all");
            return;
        }
        off.powerOn();
        Instant on = Instant.now();
        say(off.name(), "powered on again");
        checkRecovered(step + " (powered on again)", List.of(off), on);
    }

    private static boolean holdsVip(LabMachine m) throws InterruptedException {
        return GuestProbe.overlayStatus(m).map(s -> s.path("vip").path("held").asBoolean(false)).orElse(false);
    }

    /**
     * The reset button on {@code which} (all at once; a machine that is off is powered on), then the
     * same checks as after the network restart.
     */
    private void powerCycle(Scenario step, List<LabMachine> which) throws InterruptedException {
        for (LabMachine m : which) {
            if (m.isRunning()) {
                m.reset();
                say(m.name(), "reset (QMP system_reset)");
            } else {
                m.powerOn();
                say(m.name(), "powered on");
            }
        }
        Instant at = Instant.now();
        checkRecovered(step.id(), which, at);
        report.figure(step.id() + ": total (reset to checks done)", Duration.between(at, Instant.now()));
    }

    /**
     * After machines rebooted: each is back with the overlay address it had at boot, all pairs and the
     * VIP answer, etcd is healthy with all members, and no acknowledged write is lost.
     */
    private void checkRecovered(String step, List<LabMachine> rebooted, Instant since) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        for (LabMachine m : rebooted) {
            try {
                m.commandChannel().awaitReady(settings.bootTimeout());
                JsonNode status = Poll.until(settings.bootTimeout(), m.name() + ": overlay.json says ready after the reboot",
                        () -> GuestProbe.overlayStatus(m).filter(s -> s.path("state").asText().equals("ready")), () -> m.console().tail(20));
                Duration ready = Duration.between(since, Instant.now());
                String address = status.path("overlay").path("address").asText();
                say(m.name(), "overlay ready again: " + address + " (" + DrillReport.seconds(ready) + " after the power event)");
                report.figure(step + ": overlay-ready " + m.name(), ready);
                if (!address.equals(overlayBefore.get(m))) {
                    problems.add(m.name() + " " + overlayBefore.get(m) + " -> " + address);
                }
            } catch (LabException e) {
                problems.add(m.name() + ": " + e.getMessage().lines().findFirst().orElse("did not come back"));
            }
        }
        report.check(step + ": every machine back with the overlay address it had at boot", problems.isEmpty(), String.join("; ", problems));
        Recovery r = awaitRecovery(since, "the power event", settings.bootTimeout());
        r.pings().ifPresent(d -> report.figure(step + ": all-pairs overlay ping", d));
        report.check(step + ": all pairs and the VIP answer over the overlay", r.pings().isPresent(), String.join("; ", r.unreachable()));
        r.etcd().ifPresent(d -> report.figure(step + ": etcd healthy", d));
        report.check(step + ": etcd healthy with all " + settings.nodes() + " members", r.etcd().isPresent(), etcdDetail());
        write(step, 3, machines);
        checkWrites(step);
    }

    /**
     * The control, on the same machines: the overlay switched off everywhere, etcd started afresh on
     * the DHCP addresses the hosts have now (as a site without Mooring would configure it), healthy;
     * then the same network restart. etcd must not be healthy with all members afterwards.
     */
    private void controlOverlayOff(LabNetwork net) throws InterruptedException {
        String step = "control (overlay off)";
        Map<String, Ipv4Address> members = new LinkedHashMap<>();
        for (LabMachine m : machines) {
            members.put(m.name(), m.awaitLease(settings.recoveryTimeout()));
        }
        for (LabMachine m : machines) {
            // prepare's drop-in makes etcd Require the overlay, so starting etcd would start the overlay
            // again: the drop-in goes, and the overlay is masked until the next boot.
            m.exec("systemctl stop etcd.service mooring-overlay.service; systemctl mask --runtime --quiet mooring-overlay.service; "
                    + "rm -f /etc/systemd/system/etcd.service.d/10-mooring.conf; systemctl daemon-reload; "
                    + "ip link del mooring0 2>/dev/null; rm -rf /var/lib/etcd/default; ! ip -o link show mooring0 2>/dev/null", GuestProbe.SHORT).orThrow();
            m.exec(UnderlayEtcd.installAndStart(UnderlayEtcd.environment(m.name(), members, "lab-control")), GuestProbe.SHORT).orThrow();
        }
        say("etcd", "control: overlay stopped and its link deleted on every host; etcd started afresh on " + members.values());
        boolean healthy = awaitEtcd(settings.bootTimeout());
        List<String> notUnderlay = new ArrayList<>();
        for (LabMachine m : machines) {
            // etcd's peer port on the DHCP address, and no overlay link: the control is what it claims.
            String peer = members.get(m.name()) + ":2380";
            String out = GuestProbe.tryExec(m, "ss -Hltn 'sport = :2380'; ip -o link show mooring0 2>&1", GuestProbe.SHORT)
                    .map(ExecResult::output).orElse("(no answer)");
            if (!out.contains(peer) || !out.contains("does not exist")) {
                notUnderlay.add(m.name() + ": " + out.strip().replace('\n', ' '));
            }
        }
        report.check(step + ": etcd healthy with " + settings.nodes() + " members on the DHCP addresses, no overlay link",
                healthy && notUnderlay.isEmpty(), etcdDetail() + String.join("; ", notUnderlay));
        Instant linksUp = cutCables(net, "control: ", () -> { });
        List<String> unchanged = new ArrayList<>();
        for (LabMachine m : machines) {
            Ipv4Address lease = m.awaitLease(settings.recoveryTimeout());
            if (lease.equals(members.get(m.name()))) {
                unchanged.add(m.name() + " kept " + lease);
            }
        }
        report.check(step + ": every underlay address changed", unchanged.isEmpty(), String.join("; ", unchanged));
        List<String> kept = new ArrayList<>();
        for (LabMachine m : machines) {
            String old = members.get(m.name()).toString();
            try {
                Poll.until(settings.recoveryTimeout(), m.name() + " dropped " + old, () -> GuestProbe.tryExec(m, "ip -4 -o addr show", GuestProbe.SHORT)
                        .map(r -> !r.output().contains("inet " + old + "/")).orElse(false));
            } catch (LabException e) {
                kept.add(m.name() + " still has " + old);
            }
        }
        report.check(step + ": every host dropped its old underlay address", kept.isEmpty(), String.join("; ", kept));
        boolean recovered = awaitEtcd(settings.recoveryTimeout());
        if (recovered) {
            // How etcd's peers still talk, for whoever reads the report.
            LabMachine first = machines.getFirst();
            lastEtcd += " | " + first.name() + ": " + GuestProbe.tryExec(first, "ip -4 -o addr show; ip route; ss -Htn '( sport = :2380 or dport = :2380 )'",
                    GuestProbe.SHORT).map(ExecResult::output).orElse("(no answer)").replace('\n', ' ');
        }
        report.check(step + ": etcd is NOT healthy with all " + settings.nodes() + " members within "
                        + DrillReport.seconds(settings.recoveryTimeout()) + " of the links (what the overlay prevents)",
                !recovered, etcdDetail() + (recovered ? " (recovered " + DrillReport.seconds(Duration.between(linksUp, Instant.now())) + " after links up)" : ""));
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
        return awaitRecovery(linksUp, "links up", timeout);
    }

    private Recovery awaitRecovery(Instant linksUp, String since, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Duration> pings = settings.overlay() ? Optional.empty() : Optional.of(Duration.ZERO);
        Optional<Duration> etcd = Optional.empty();
        List<String> unreachable = List.of();
        while (true) {
            if (pings.isEmpty()) {
                unreachable = overlayPingRound();
                if (unreachable.isEmpty()) {
                    pings = Optional.of(Duration.between(linksUp, Instant.now()));
                    say("lab", "all pairs and the VIP answer over the overlay (" + DrillReport.seconds(pings.get()) + " after " + since + ")");
                }
            }
            if (etcd.isEmpty() && etcdRound()) {
                etcd = Optional.of(Duration.between(linksUp, Instant.now()));
                say("etcd", "healthy with all " + settings.nodes() + " members (" + DrillReport.seconds(etcd.get()) + " after " + since + ")");
            }
            if ((pings.isPresent() && etcd.isPresent()) || System.nanoTime() - deadline > 0) {
                return new Recovery(settings.overlay() ? pings : Optional.empty(), etcd, unreachable);
            }
            Thread.sleep(500);
        }
    }

    /** One round: every node pings every other's overlay address and the VIP; what did not answer. */
    private List<String> overlayPingRound() throws InterruptedException {
        return overlayPingRound(machines);
    }

    /** The same among {@code on} only: each pings the others of {@code on} and the VIP. */
    private List<String> overlayPingRound(List<LabMachine> on) throws InterruptedException {
        List<String> failed = new ArrayList<>();
        for (LabMachine m : on) {
            List<String> targets = new ArrayList<>();
            overlayBefore.forEach((other, address) -> {
                if (other != m && on.contains(other)) {
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
        return etcdRound(machines);
    }

    /** One round on {@code on} only: each answers a linearizable read and lists all N members. */
    private boolean etcdRound(List<LabMachine> on) throws InterruptedException {
        boolean all = true;
        StringBuilder seen = new StringBuilder();
        for (LabMachine m : on) {
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
        return awaitEtcd(machines, timeout);
    }

    private boolean awaitEtcd(List<LabMachine> on, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (etcdRound(on)) {
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

    /**
     * The hub's view: every host registered under its name with the overlay address it has had since
     * boot and {@code external} as its underlay address (heartbeats come every 10 s, so polled).
     */
    private void checkHub(String step, Map<LabMachine, Ipv4Address> external) throws InterruptedException {
        long deadline = System.nanoTime() + settings.recoveryTimeout().toNanos();
        List<String> wrong;
        do {
            wrong = new ArrayList<>();
            Map<String, LabHub.Host> hosts = new LinkedHashMap<>();
            try {
                for (LabHub.Host h : hub.hosts(NodeUserData.CLUSTER)) {
                    hosts.put(h.hostname(), h);
                }
            } catch (LabException e) {
                wrong.add("the hub did not answer: " + e.getMessage().lines().findFirst().orElse(e.toString()));
            }
            for (LabMachine m : machines) {
                LabHub.Host h = hosts.get(m.name());
                String expected = overlayBefore.get(m) + " at " + external.get(m);
                if (h == null) {
                    wrong.add(m.name() + ": not registered");
                } else if (!h.overlay().toString().equals(overlayBefore.get(m)) || !h.external().equals(Optional.ofNullable(external.get(m)))) {
                    wrong.add(m.name() + ": hub says " + h.overlay() + " at " + h.external().map(Object::toString).orElse("(none)") + ", expected " + expected);
                }
            }
            if (!wrong.isEmpty()) {
                Thread.sleep(2000);
            }
        } while (!wrong.isEmpty() && System.nanoTime() - deadline < 0);
        report.check(step + ": the hub lists every host with its overlay address and its " + (step.equals("boot") ? "" : "new ")
                + "underlay address", wrong.isEmpty(), String.join("; ", wrong));
    }

    /**
     * Every acknowledged write so far, read (linearizably) on every node. A read without an answer (a
     * slow guest) is asked again until the recovery timeout; only an answer proves a loss.
     */
    private void checkWrites(String step) throws InterruptedException {
        List<String> lost = new ArrayList<>();
        long deadline = System.nanoTime() + settings.recoveryTimeout().toNanos();
        for (LabMachine m : machines) {
            Map<String, Optional<String>> reads = new LinkedHashMap<>();
            List<String> unanswered = List.copyOf(acknowledged.keySet());
            while (!unanswered.isEmpty()) {
                reads.putAll(GuestProbe.getAll(m, unanswered));
                unanswered = unanswered.stream().filter(k -> !reads.containsKey(k)).toList();
                if (System.nanoTime() - deadline > 0) {
                    break;
                }
            }
            for (Map.Entry<String, String> w : acknowledged.entrySet()) {
                Optional<String> read = reads.get(w.getKey());
                if (read == null) {
                    lost.add(m.name() + " gave no answer for " + w.getKey());
                } else if (!read.equals(Optional.of(w.getValue()))) {
                    lost.add(m.name() + " reads " + w.getKey() + " as " + read.orElse("(no such key)"));
                }
            }
        }
        report.check(step + ": no acknowledged write lost (" + acknowledged.size() + " writes, read on every node)",
                !acknowledged.isEmpty() && lost.isEmpty(), lost.isEmpty() ? "" : String.join("; ", lost.subList(0, Math.min(5, lost.size()))));
    }

    /** Writes {@code count} keys through the nodes of {@code on} in turn; how many etcd acknowledged. */
    private int write(String phase, int count, List<LabMachine> on) throws InterruptedException {
        int acked = 0;
        for (int i = 1; i <= count; i++) {
            LabMachine m = on.get(i % on.size());
            String key = "mooring-lab/" + phase + "/" + i;
            String value = phase + "-" + i + "-" + System.nanoTime();
            if (GuestProbe.put(m, key, value).isPresent()) {
                acknowledged.put(key, value);
                acked++;
            }
        }
        say("etcd", phase + ": " + acked + " of " + count + " writes acknowledged");
        return acked;
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
