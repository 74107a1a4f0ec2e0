package dev.mooring.runtime;

import dev.mooring.firstboot.cli.FirstbootCommand;
import dev.mooring.firstboot.cli.UserdataCommand;
import dev.mooring.hub.cli.HubCommand;
import dev.mooring.image.cli.ImageCommand;
import dev.mooring.k8s.cli.K8sCommand;
import dev.mooring.lab.cli.LabCommand;
import dev.mooring.overlay.cli.OverlayCommand;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Every command under {@code mooring}, by name, in the order help lists them. */
    static final Map<String, Class<?>> COMMANDS = commands(
            CompletionCommand.class,
            UserdataCommand.class,
            FirstbootCommand.class,
            OverlayCommand.class,
            K8sCommand.class,
            HubCommand.class,
            ImageCommand.class,
            LabCommand.class);

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
     * {@link #COMMANDS} (the first argument that is not an option), else with every command.
     */
    public static CommandLine commandLine(Map<String, String> environment, String... args) {
        String named = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        boolean alone = COMMANDS.containsKey(named) && !named.equals("completion");
        return commandLine(environment, alone ? List.of(named) : List.copyOf(COMMANDS.keySet()));
    }

    private static CommandLine commandLine(Map<String, String> environment, List<String> names) {
        FailureReport report = new FailureReport("1".equals(environment.get(DEBUG_VARIABLE)));
        CommandLine root = new CommandLine(new Mooring());
        for (String name : names) {
            root.addSubcommand(name, COMMANDS.get(name));
        }
        return root.setParameterExceptionHandler(report).setExecutionExceptionHandler(report);
    }

    private static Map<String, Class<?>> commands(Class<?>... classes) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Class<?> c : classes) {
            byName.put(c.getAnnotation(Command.class).name(), c);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** Runs {@code mooring} with these arguments and exits with the command's status. */
    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), args).execute(args));
    }
}
