package dev.mooring.firstboot.cloudconfig;

import java.util.List;

/** One {@code bootcmd} or {@code runcmd} entry: a line for {@code sh -c}, or an argv run as is. */
public sealed interface Command {

    /** A command line run with {@code sh -c}. */
    record Shell(String line) implements Command {
    }

    /** A program and its arguments, run without a shell. */
    record Argv(List<String> args) implements Command {
        public Argv {
            args = List.copyOf(args);
            if (args.isEmpty()) {
                throw new IllegalArgumentException("args: an argv command needs a program");
            }
        }
    }
}
