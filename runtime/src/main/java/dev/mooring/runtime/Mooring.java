package dev.mooring.runtime;

import dev.mooring.firstboot.cli.UserdataCommand;
import dev.mooring.overlay.cli.OverlayCommand;
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
 * its command with one line in {@code subcommands}; exit statuses and error output are decided
 * here, once, for all of them (see {@link ExitStatus}).
 */
@Command(name = "mooring",
        mixinStandardHelpOptions = true,
        versionProvider = ProjectVersion.class,
        description = "Edge appliances whose Kubernetes control plane survives DHCP address changes.",
        footer = {"", "Exit status: 0 done, 1 invalid input, 2 wrong command line, 3 failed while running."},
        subcommands = {
            HelpCommand.class,
            CompletionCommand.class,
            UserdataCommand.class,
            OverlayCommand.class,
        })
public final class Mooring implements Callable<Integer> {

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
     * The configured command line: the error handlers and exit statuses of {@link ExitStatus}.
     *
     * @param environment where {@value #DEBUG_VARIABLE} is looked up
     */
    public static CommandLine commandLine(Map<String, String> environment) {
        FailureReport report = new FailureReport("1".equals(environment.get(DEBUG_VARIABLE)));
        return new CommandLine(new Mooring())
                .setParameterExceptionHandler(report)
                .setExecutionExceptionHandler(report);
    }

    /** Runs {@code mooring} with these arguments and exits with the command's status. */
    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }
}
