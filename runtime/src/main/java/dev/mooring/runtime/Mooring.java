package dev.mooring.runtime;

import dev.mooring.overlay.cli.OverlayCommand;
import dev.mooring.overlay.service.WarmUp;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code mooring} command: the root that every module's commands hang under. Each module adds
 * its command with one line in {@link #COMMANDS}; exit statuses and error output are decided
 * here, once, for all of them (see {@link ExitStatus}).
 *
 * <p>picocli builds a command's model by reflection over its annotations, tens of milliseconds per
 * module: {@link #commandLine(Map, String...)} builds only the command a run asks for, and every
 * command only when help, completion or an unknown name needs the whole tree.
 */
@Command(name = "mooring",
        mixinStandardHelpOptions = true,
        versionProvider = ProjectVersion.class,
        description = "Edge appliances whose Kubernetes control plane survives DHCP address changes.",
        footer = {"", "Exit status: 0 done, 1 invalid input, 2 wrong command line, 3 failed while running."},
        subcommands = HelpCommand.class)
public final class Mooring implements Callable<Integer> {

    /**
     * Every command under {@code mooring}, by its {@code @Command} name, in the order help lists
     * them, with the name of its class. The names are written out rather than read from the
     * annotations, which would parse every command's annotations at each start; the classes are
     * named, not referenced, so that a command loads only its own module: the overlay service runs
     * with its module's jars alone on the class path (docs/runtime.md). {@code MooringTest} checks
     * that every class exists and carries the name it is listed under.
     */
    static final Map<String, String> COMMANDS = commands(
            "completion", "dev.mooring.runtime.CompletionCommand",
            "userdata", "dev.mooring.firstboot.cli.UserdataCommand",
            "firstboot", "dev.mooring.firstboot.cli.FirstbootCommand",
            "overlay", "dev.mooring.overlay.cli.OverlayCommand",
            "k8s", "dev.mooring.k8s.cli.K8sCommand",
            "hub", "dev.mooring.hub.cli.HubCommand",
            "image", "dev.mooring.image.cli.ImageCommand",
            "lab", "dev.mooring.lab.cli.LabCommand");

    /** Setting this environment variable to {@code 1} shows stack traces, like {@code --debug}. */
    public static final String DEBUG_VARIABLE = "MOORING_DEBUG";

    @Spec
    private CommandSpec spec;

    @Option(names = "--debug", description = "Show the stack trace when a command fails (also MOORING_DEBUG=1).")
    private boolean debug;

    boolean debug() {
        return debug;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a command is missing; the commands are: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * The configured command line with every command: the error handlers and exit statuses of
     * {@link ExitStatus}.
     *
     * @param environment where {@value #DEBUG_VARIABLE} is looked up
     */
    public static CommandLine commandLine(Map<String, String> environment) {
        return commandLine(environment, List.copyOf(COMMANDS.keySet()));
    }

    /**
     * The command line for these arguments: with only the command they name when it is one of
     * {@link #COMMANDS} (the first argument that is not an option); with none for a bare
     * {@code --version}, which prints without looking at them; else with every command (help,
     * completion and the error for an unknown name list them all).
     */
    public static CommandLine commandLine(Map<String, String> environment, String... args) {
        List<String> all = Arrays.asList(args);
        String named = all.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
        boolean alone = COMMANDS.containsKey(named) && !named.equals("completion");
        boolean versionOnly = named.isEmpty() && (all.contains("-V") || all.contains("--version"))
                && !all.contains("-h") && !all.contains("--help");
        return commandLine(environment, alone ? List.of(named) : versionOnly ? List.of() : List.copyOf(COMMANDS.keySet()));
    }

    private static CommandLine commandLine(Map<String, String> environment, List<String> names) {
        FailureReport report = new FailureReport("1".equals(environment.get(DEBUG_VARIABLE)));
        CommandLine root = new CommandLine(new Mooring());
        for (String name : names) {
            root.addSubcommand(name, commandClass(name));
        }
        return root.setParameterExceptionHandler(report).setExecutionExceptionHandler(report);
    }

    /** Pairs of command name and class name. */
    private static Map<String, String> commands(String... nameAndClass) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (int i = 0; i < nameAndClass.length; i += 2) {
            byName.put(nameAndClass[i], nameAndClass[i + 1]);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** The class of one of {@link #COMMANDS}. */
    static Class<?> commandClass(String name) {
        try {
            return Class.forName(COMMANDS.get(name));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("mooring's jars are incomplete: the '" + name + "' command's class "
                    + e.getMessage() + " is not on the class path", e);
        }
    }

    /** Runs {@code mooring} with these arguments and exits with the command's status. */
    public static void main(String[] args) {
        if (startsTheOverlayService(args)) {
            // The device's hot path: its slowest initialisations run beside the command line and the config.
            WarmUp.startInBackground();
            Optional<Path> config = args.length >= 2 && args[0].equals("overlay") && args[1].equals("run")
                    ? OverlayCommand.serviceConfig(Arrays.asList(args).subList(2, args.length))
                    : Optional.empty();
            if (config.isPresent()) {
                System.exit(runOverlayService(config.get(), System.getenv(), new PrintWriter(System.err, true)));
            }
        }
        System.exit(commandLine(System.getenv(), args).execute(args));
    }

    /**
     * {@code mooring overlay run} as its unit starts it ({@link OverlayCommand#serviceConfig}),
     * without building a command model; what escapes it is reported as picocli's path reports it.
     */
    public static int runOverlayService(Path config, Map<String, String> environment, PrintWriter err) {
        boolean debug = "1".equals(environment.get(DEBUG_VARIABLE));
        try {
            return OverlayCommand.runService(config, err);
        } catch (RuntimeException e) {
            return FailureReport.report(e, "mooring overlay run", err, debug);
        }
    }

    /** {@code mooring [options] overlay run ...}: the first two arguments that are not options. */
    static boolean startsTheOverlayService(String... args) {
        // A loop, not a stream: this runs first at every start, and the stream's lambda was spun
        // at run time (~3 ms of the service's start, measured with a profiler).
        List<String> words = new ArrayList<>(2);
        for (String a : args) {
            if (!a.startsWith("-") && words.size() < 2) {
                words.add(a);
            }
        }
        return words.equals(List.of("overlay", "run"));
    }
}
