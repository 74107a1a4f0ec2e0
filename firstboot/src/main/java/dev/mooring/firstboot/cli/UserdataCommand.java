package dev.mooring.firstboot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mooring userdata}: commands about user-data. The runtime's root command adds it as a
 * subcommand; {@link #main} runs it on its own.
 */
@Command(name = "userdata", mixinStandardHelpOptions = true,
        description = "Check user-data (cloud-config, scripts, MIME archives, network-config) before it is flashed.",
        subcommands = {ValidateCommand.class})
public final class UserdataCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'userdata validate FILE...'");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new UserdataCommand()).execute(args));
    }
}
