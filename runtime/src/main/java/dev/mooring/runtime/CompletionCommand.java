package dev.mooring.runtime;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mooring completion}: prints a bash completion script for every command and option. */
@Command(name = "completion",
        description = {"Print a bash completion script for mooring.",
                "Install it with: mooring completion > /etc/bash_completion.d/mooring",
                "or load it into the current shell with: source <(mooring completion)"})
public final class CompletionCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        String script = AutoComplete.bash(spec.root().name(), spec.root().commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return ExitStatus.OK.code();
    }
}
