package dev.mooring.firstboot.cli;

import dev.mooring.firstboot.apply.CommandRunner;
import dev.mooring.firstboot.apply.DirectoryRoot;
import dev.mooring.firstboot.apply.StepResult;
import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.registration.Backoff;
import dev.mooring.firstboot.registration.HubRegistration;
import dev.mooring.firstboot.registration.Registrar;
import dev.mooring.firstboot.run.FirstbootRun;
import dev.mooring.firstboot.run.FirstbootStatus;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mooring firstboot run|status}: applies the instance's user-data to a root ({@code /} on a
 * device) and shows the result. The runtime's root command adds it as a subcommand.
 */
@Command(name = "firstboot", mixinStandardHelpOptions = true,
        description = "Apply the instance's user-data once (run), and show the result (status).",
        subcommands = {FirstbootCommand.Run.class, FirstbootCommand.Status.class})
public final class FirstbootCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'firstboot run' or 'firstboot status'");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FirstbootCommand()).execute(args));
    }

    /** The Maven version of this build, sent to the hub. */
    public static String version() {
        try (InputStream in = FirstbootCommand.class.getResourceAsStream("/dev/mooring/firstboot/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Find the seed, validate it, apply it to the root, register with the hub. Exit 0: ok or registration pending, 1: failed.")
    static final class Run implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Option(names = "--root", defaultValue = "/", paramLabel = "DIR", description = "the root to configure (default /: this machine)")
        private Path root;

        @Option(names = "--cmdline", paramLabel = "STR", description = "a kernel command line to read ds=nocloud;s=URL from, instead of /proc/cmdline")
        private String cmdline;

        @Option(names = "--seed", paramLabel = "DIR|IMAGE", description = "a NoCloud seed: a directory, or a vfat/iso9660 image; replaces the CIDATA search")
        private Path seed;

        @Option(names = "--run-commands", description = "with --root other than /: run bootcmd/runcmd inside it with chroot (default: recorded as skipped)")
        private boolean runCommands;

        @Option(names = "--media-wait", defaultValue = "10s", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "how long to wait for a CIDATA medium when no other seed exists (default ${DEFAULT-VALUE})")
        private Duration mediaWait;

        @Option(names = "--network-wait", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "how long an http(s) seed and the hub may take to answer (default ${DEFAULT-VALUE})")
        private Duration networkWait;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isDirectory(root)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--root " + root + " is not a directory");
            }
            boolean onDevice = root.toAbsolutePath().normalize().toString().equals("/");
            Optional<CommandRunner> commands = onDevice ? Optional.of(CommandRunner.processes(List.of(), Path.of("/")))
                    : runCommands ? Optional.of(CommandRunner.processes(List.of("chroot", root.toAbsolutePath().toString()), root))
                    : Optional.empty();
            Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), 2.0, networkWait);
            Registrar registrar = new Registrar(backoff, Clock.systemUTC(), d -> Thread.sleep(d), () -> ThreadLocalRandom.current().nextDouble(),
                    line -> out.println("mooring firstboot: " + line));
            HubRegistration.Settings registration = new HubRegistration.Settings(registrar, FirstbootCommand::addresses, version(),
                    Duration.ofSeconds(10));
            FirstbootRun.Options options = new FirstbootRun.Options(root, new DirectoryRoot(root), Optional.ofNullable(cmdline),
                    Optional.ofNullable(seed), commands, mediaWait, networkWait, bootId(), Clock.systemUTC(), registration);
            FirstbootStatus status = new FirstbootRun(options, line -> {
                out.println("mooring firstboot: " + line);
                out.flush();
            }).run();
            out.print(Report.text(status));
            out.flush();
            if (status.state() == FirstbootStatus.State.FAILED) {
                String loud = Report.loud(status);
                err.print(loud);
                err.flush();
                if (onDevice) {
                    console(loud);
                }
                return 1;
            }
            return 0;
        }

        /** The failure on the machine's console too, where someone at the device looks. */
        private static void console(String text) {
            Path console = Path.of("/dev/console");
            if (Files.isWritable(console)) {
                try (PrintStream p = new PrintStream(new FileOutputStream(console.toFile()), true, StandardCharsets.UTF_8)) {
                    p.print(text.replace("\n", "\r\n"));
                } catch (IOException e) {
                    // The journal has it anyway.
                }
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the last run's result. Exit 0: ok or registration pending, 1: failed, 3: first boot has not run.")
    static final class Status implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Option(names = "--root", defaultValue = "/", paramLabel = "DIR", description = "the root whose status to show (default /)")
        private Path root;

        @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json", description = "text or json (the file as is)")
        private String output;

        @Override
        public Integer call() throws IOException {
            if (!output.equals("text") && !output.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-o " + output + ": use text or json");
            }
            Path file = new DirectoryRoot(root).resolve(FirstbootStatus.PATH);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                spec.commandLine().getErr().println("mooring firstboot status: " + file + " does not exist: first boot has not run since this boot"
                        + " (run mooring firstboot run)");
                return 3;
            }
            FirstbootStatus status = FirstbootStatus.fromJson(bytes);
            PrintWriter out = spec.commandLine().getOut();
            out.print(output.equals("json") ? new String(bytes, StandardCharsets.UTF_8) : Report.text(status));
            out.flush();
            return status.state() == FirstbootStatus.State.FAILED ? 1 : 0;
        }
    }

    /** Human-readable forms of a status. */
    static final class Report {
        static String text(FirstbootStatus s) {
            StringBuilder out = new StringBuilder();
            out.append("state: ").append(s.state().label()).append('\n');
            out.append("instance: ").append(s.instanceId().orElse("-")).append(s.newInstance() ? " (new)" : "").append('\n');
            out.append("datasource: ").append(s.datasource().orElse("-")).append(s.location().map(l -> " (" + l + ")").orElse("")).append('\n');
            long applied = s.steps().stream().filter(r -> r.outcome() == StepResult.Outcome.APPLIED).count();
            long earlier = s.steps().stream().filter(r -> r.outcome() == StepResult.Outcome.DONE_EARLIER).count();
            long skipped = s.steps().stream().filter(r -> r.outcome() == StepResult.Outcome.SKIPPED).count();
            long failed = s.steps().stream().filter(r -> r.outcome() == StepResult.Outcome.FAILED).count();
            out.append("steps: ").append(applied).append(" applied, ").append(earlier).append(" done earlier, ").append(skipped)
                    .append(" skipped, ").append(failed).append(" failed\n");
            for (StepResult r : s.steps()) {
                if (r.outcome() == StepResult.Outcome.FAILED || r.outcome() == StepResult.Outcome.SKIPPED) {
                    out.append("  ").append(r.outcome().label()).append(' ').append(r.id()).append(": ").append(r.detail()).append('\n');
                }
            }
            out.append("registration: ").append(s.registration().state()).append(s.registration().hostId().map(h -> " (host " + h + ")").orElse(""))
                    .append(s.registration().lastError().map(e -> ": " + e).orElse("")).append('\n');
            s.notes().forEach(n -> out.append("note: ").append(n).append('\n'));
            for (Diagnostic d : s.errors()) {
                out.append(d).append('\n').append("    hint: ").append(d.hint()).append('\n');
            }
            return out.toString();
        }

        static String loud(FirstbootStatus s) {
            StringBuilder out = new StringBuilder("\n*** MOORING FIRST BOOT FAILED ***\n");
            for (Diagnostic d : s.errors()) {
                out.append("*** ").append(d).append('\n').append("***     hint: ").append(d.hint()).append('\n');
            }
            return out.append("*** details: mooring firstboot status (").append(FirstbootStatus.PATH).append(")\n\n").toString();
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 0s}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            var m = java.util.regex.Pattern.compile("(\\d{1,6})(ms|s|m)").matcher(value);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write e.g. 500ms, 10s or 2m");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        }
    }

    /** This machine's IPv4 addresses, except loopback and the overlay's own devices. */
    static List<String> addresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isLoopback() || !nic.isUp() || nic.getName().startsWith("mooring")) {
                    continue;
                }
                nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(a -> out.add(a.getHostAddress()));
            }
        } catch (SocketException e) {
            // No addresses to report; the hub still registers the host.
        }
        return out;
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return "unknown-boot";
        }
    }
}
