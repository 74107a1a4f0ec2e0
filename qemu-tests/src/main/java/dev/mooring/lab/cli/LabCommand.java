package dev.mooring.lab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mooring.lab.CommandChannel;
import dev.mooring.lab.HostCommand;
import dev.mooring.lab.LabException;
import dev.mooring.lab.LabMachine;
import dev.mooring.lab.LabNetwork;
import dev.mooring.lab.Wait;
import dev.mooring.lab.drill.DrillReport;
import dev.mooring.lab.drill.LabImage;
import dev.mooring.lab.drill.LabDrill;
import dev.mooring.lab.drill.NodeUserData;
import dev.mooring.lab.drill.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mooring lab up|drill|status|down}: boot copies of an image on a private DHCP network and
 * run drills against them (docs/lab.md). Exit codes: 0 done / drill passed, 1 drill failed or the
 * lab could not run, 2 usage.
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "QEMU lab: boot an image N times on a private DHCP network and run drills (docs/lab.md).",
        subcommands = {LabCommand.Up.class, LabCommand.Drill.class, LabCommand.Status.class, LabCommand.Down.class})
public final class LabCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    static final Path DEFAULT_STATE = Path.of("/run/mooring-lab");

    /** Options shared by up and drill. */
    static final class ImageOptions {
        @Option(names = "--image", required = true, paramLabel = "FILE", description = "the image (out/edge.qcow2 from mooring image build)")
        Path image;

        @Option(names = "--nodes", defaultValue = "3", description = "how many machines (1..9); default ${DEFAULT-VALUE}")
        int nodes;

        @Option(names = "--user-data", paramLabel = "TEMPLATE",
                description = "user-data template with {{host}} {{index}} {{bootstrap}} {{overlay}} {{key}} {{nodes}}; default: a control-plane host with overlay and etcd")
        Path userData;

        @Option(names = "--channel", defaultValue = "shell", description = "command channel into the guests: shell (ttyS1, added through user-data) or agent (qemu-guest-agent in the image)")
        String channel;

        @Option(names = "--uefi", description = "boot through OVMF instead of the image's kernel and initrd")
        boolean uefi;

        @Option(names = "--memory", defaultValue = "1024", description = "MiB per machine; default ${DEFAULT-VALUE}")
        int memory;

        LabDrill.Settings settings() throws IOException {
            CommandChannel.Kind kind = switch (channel) {
                case "shell" -> CommandChannel.Kind.SERIAL_SHELL;
                case "agent" -> CommandChannel.Kind.GUEST_AGENT;
                default -> throw new IllegalArgumentException("--channel: expected shell or agent, got '" + channel + "'");
            };
            LabDrill.Settings s = LabDrill.Settings.defaults(LabImage.of(image, uefi)).withNodes(nodes).withChannel(kind);
            if (userData != null) {
                s = s.withUserDataTemplate(Files.readString(userData));
            }
            return s.withMemoryMb(memory);
        }
    }

    @Command(name = "drill", mixinStandardHelpOptions = true,
            description = "Run a drill against N machines of an image and print the report. Scenarios, run in the order given after"
                    + " the boot: network-restart, vip-holder-off, power-cycle-one, power-cycle-all, control-overlay-off (last);"
                    + " `all` is the first four.")
    static final class Drill implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SCENARIO[,SCENARIO...]", description = "e.g. network-restart, or network-restart,power-cycle-all, or all")
        String scenario;

        @picocli.CommandLine.Mixin
        ImageOptions options;

        @Option(names = "--no-overlay", description = "the control run: overlay disabled (etcd bound to the underlay)")
        boolean noOverlay;

        @Option(names = "--hub", description = "run a real hub on the lab network; the machines register with it (default: air-gapped, the overlay settings in user-data only)")
        boolean hub;

        @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json; default ${DEFAULT-VALUE}")
        String output;

        @Option(names = "--keep", paramLabel = "DIR", description = "keep consoles, leases and disks under DIR")
        Path keep;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<Scenario> scenarios;
            try {
                scenarios = Scenario.parseList(scenario);
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 2;
            }
            if (!output.equals("text") && !output.equals("json")) {
                err.println("-o: expected text or json, got '" + output + "'");
                return 2;
            }
            LabDrill.Settings settings;
            try {
                settings = options.settings().withScenarios(scenarios).withHub(hub).withOverlay(!noOverlay);
                if (keep != null) {
                    settings = settings.withWorkDir(keep);
                }
                Map<String, String> trial = new java.util.HashMap<>(Map.of("host", "x", "index", "1", "bootstrap", "true", "overlay", "true",
                        "key", "k", "nodes", "3"));
                if (settings.hub()) {
                    trial.putAll(Map.of("hub", "http://198.51.100.254:8443", "token", "t"));
                }
                NodeUserData.render(settings.userDataTemplate(), trial, false);
            } catch (IllegalArgumentException | LabException | IOException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
            DrillReport report = LabDrill.run(settings, line -> {
                err.println(line);
                err.flush();
            });
            out.println(output.equals("json") ? report.toJson() : report.toText());
            out.flush();
            return report.passed() ? 0 : 1;
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Boot N machines of an image and keep them running until Ctrl-C or `mooring lab down`; `mooring lab status` shows them.")
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        ImageOptions options;

        @Option(names = "--state", paramLabel = "DIR", description = "where status and down find the lab; default " + "/run/mooring-lab")
        Path state = DEFAULT_STATE;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            LabDrill.Settings s;
            try {
                s = options.settings();
            } catch (IllegalArgumentException | LabException | IOException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
            if (Files.exists(state.resolve("lab.json"))) {
                err.println("error: a lab is already up (" + state.resolve("lab.json") + "); run `mooring lab down` first");
                return 1;
            }
            try (LabNetwork net = LabNetwork.builder().start()) {
                List<LabMachine> machines = new ArrayList<>();
                for (int i = 1; i <= s.nodes(); i++) {
                    machines.add(LabMachine.builder("node" + i).withBoot(s.image().boot()).withDisk(s.image().disk())
                            .withMemoryMb(s.memoryMb()).withCommandChannel(CommandChannel.Kind.NONE)
                            .waitingFor(Wait.forLease()).withStartupTimeout(s.bootTimeout()).launch(net));
                }
                writeState(net, machines);
                out.println("lab " + net.namespace() + " up; consoles under " + net.directory() + "; Ctrl-C or `mooring lab down` stops it");
                out.flush();
                for (LabMachine m : machines) {
                    m.awaitReady();
                    out.println(m.name() + " " + m.mac() + " " + m.lease().map(Object::toString).orElse("-"));
                    out.flush();
                }
                while (machines.stream().anyMatch(LabMachine::isRunning)) {
                    Thread.sleep(1000);
                }
                return 0;
            } finally {
                Files.deleteIfExists(state.resolve("lab.json"));
            }
        }

        private void writeState(LabNetwork net, List<LabMachine> machines) throws IOException {
            ObjectNode json = new ObjectMapper().createObjectNode();
            json.put("pid", ProcessHandle.current().pid()).put("namespace", net.namespace()).put("directory", net.directory().toString())
                    .put("leases", net.leaseFile().toString()).put("dnsmasqPid", net.dhcpServerPid());
            var ms = json.putArray("machines");
            machines.forEach(m -> ms.addObject().put("name", m.name()).put("mac", m.mac()).put("qemuPid", m.qemuPid())
                    .put("console", m.console().log().toString()));
            Files.createDirectories(state);
            Path temp = state.resolve("lab.json.tmp");
            Files.writeString(temp, json.toPrettyString());
            Files.move(temp, state.resolve("lab.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the lab started by `mooring lab up`: machines, QEMU alive, leases.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--state", paramLabel = "DIR", description = "default /run/mooring-lab")
        Path state = DEFAULT_STATE;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path file = state.resolve("lab.json");
            if (!Files.exists(file)) {
                spec.commandLine().getErr().println("no lab is up (" + file + " does not exist); start one with `mooring lab up --image ...`");
                return 1;
            }
            var json = new ObjectMapper().readTree(file.toFile());
            out.println("lab " + json.path("namespace").asText() + " (held by pid " + json.path("pid").asLong() + ")");
            String leases = Files.exists(Path.of(json.path("leases").asText())) ? Files.readString(Path.of(json.path("leases").asText())) : "";
            for (var m : json.path("machines")) {
                boolean alive = ProcessHandle.of(m.path("qemuPid").asLong()).map(ProcessHandle::isAlive).orElse(false);
                String lease = leases.lines().filter(l -> l.contains(m.path("mac").asText())).map(l -> l.split(" ")[2]).findFirst().orElse("-");
                out.printf("  %-8s %s %-8s %-16s %s%n", m.path("name").asText(), m.path("mac").asText(), alive ? "running" : "stopped", lease, m.path("console").asText());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop the lab started by `mooring lab up`: SIGTERM to its process (which tears everything down), else clean up by PID and namespace.")
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--state", paramLabel = "DIR", description = "default /run/mooring-lab")
        Path state = DEFAULT_STATE;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path file = state.resolve("lab.json");
            if (!Files.exists(file)) {
                out.println("no lab is up");
                return 0;
            }
            var json = new ObjectMapper().readTree(file.toFile());
            var holder = ProcessHandle.of(json.path("pid").asLong());
            if (holder.isPresent() && holder.get().isAlive()) {
                holder.get().destroy();
                holder.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            // The holder was killed hard: remove what it left, by PID and by its own namespace name only.
            for (var m : json.path("machines")) {
                killIfStill(m.path("qemuPid").asLong(), "qemu-system");
            }
            killIfStill(json.path("dnsmasqPid").asLong(), "dnsmasq");
            String ns = json.path("namespace").asText();
            if (ns.startsWith("mr-lab-") && Files.exists(Path.of("/run/netns", ns))) {
                HostCommand.run("ip", "netns", "del", ns);
            }
            Files.deleteIfExists(file);
            out.println("lab " + ns + " down");
            return 0;
        }

        /** Kills {@code pid} only if it still runs {@code program}: a recycled PID belongs to someone else. */
        private static void killIfStill(long pid, String program) {
            ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.contains(program)).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
