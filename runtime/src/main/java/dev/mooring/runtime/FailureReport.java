package dev.mooring.runtime;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns what goes wrong into one line on stderr and an {@link ExitStatus}: a wrong command line is
 * {@link ExitStatus#USAGE} with a pointer to the command's help, an exception escaping a command is
 * {@link ExitStatus#FAILED} with its message. The stack trace is shown only when asked for
 * ({@code --debug} or {@code MOORING_DEBUG=1}): a user needs what went wrong, not where in the code.
 */
final class FailureReport implements IExecutionExceptionHandler, IParameterExceptionHandler {

    private final boolean debugFromEnvironment;

    FailureReport(boolean debugFromEnvironment) {
        this.debugFromEnvironment = debugFromEnvironment;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(prefix(command) + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
        if (debug(command)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitStatus.USAGE.code();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        return report(ex, command.getCommandSpec().qualifiedName(), command.getErr(), debug(command));
    }

    /** A failure that escaped the command {@code qualifiedName}: one line, the stack trace only with {@code debug}. */
    static int report(Throwable ex, String qualifiedName, PrintWriter err, boolean debug) {
        Throwable failure = unwrap(ex);
        err.println(qualifiedName + ": " + describe(failure));
        if (debug) {
            failure.printStackTrace(err);
        } else {
            err.println("(run with --debug or MOORING_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return ExitStatus.FAILED.code();
    }

    /** The message of the failure and of each distinct cause, so "cannot open X: permission denied" survives wrapping. */
    static String describe(Throwable failure) {
        StringBuilder line = new StringBuilder(messageOf(failure));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String message = messageOf(cause);
            if (line.indexOf(message) < 0) {
                line.append(": ").append(message);
            }
        }
        return line.toString();
    }

    private static String messageOf(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof ExecutionException || current instanceof InvocationTargetException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static String prefix(CommandLine command) {
        return command.getCommandSpec().qualifiedName() + ": ";
    }

    private boolean debug(CommandLine command) {
        return debugFromEnvironment
                || command.getCommandSpec().root().userObject() instanceof Mooring root && root.debug();
    }
}
