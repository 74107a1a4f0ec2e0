package dev.mooring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.overlay.cli.OverlayCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command's contract, in memory: exit statuses, one-line errors, stack traces only on request. */
class MooringTest {

    /** A command failing while running, as a module's command would on an I/O or kernel error. */
    @Command(name = "fail")
    static final class Failing implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            throw new IllegalStateException("cannot open /run/mooring/overlay.json",
                    new java.io.IOException("Permission denied"));
        }
    }

    /** A command whose input is invalid: it reports and returns 1 itself. */
    @Command(name = "invalid")
    static final class Invalid implements Callable<Integer> {
        @Override
        public Integer call() {
            return ExitStatus.INVALID.code();
        }
    }

    private record Result(int status, String out, String err) {}

    private static Result run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Mooring.commandLine(environment)
                .addSubcommand(new Failing())
                .addSubcommand(new Invalid())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err));
        int status = command.execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void versionNamesTheProjectVersionAndTheJavaRuntime() {
        Result r = run(Map.of(), "--version");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("mooring " + ProjectVersion.version() + System.lineSeparator())
                .contains("at " + System.getProperty("java.home"));
        assertThat(ProjectVersion.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void helpListsTheModulesCommandsAndTheExitStatuses() {
        Result r = run(Map.of(), "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("completion", "userdata", "overlay", "Exit status: 0 done, 1 invalid input, 2 wrong command line, 3 failed");
    }

    @Test
    void aRunBuildsOnlyTheCommandItNamesAndHelpOrAnUnknownNameBuildsThemAll() {
        assertThat(Mooring.commandLine(Map.of(), "--debug", "overlay", "status").getSubcommands().keySet())
                .containsExactly("help", "overlay");
        assertThat(Mooring.commandLine(Map.of(), "--help").getSubcommands().keySet())
                .containsAll(Mooring.COMMANDS.keySet());
        assertThat(Mooring.commandLine(Map.of(), "overlya", "run").getSubcommands().keySet())
                .containsAll(Mooring.COMMANDS.keySet());
        // Completion describes every command, so it needs them all.
        assertThat(Mooring.commandLine(Map.of(), "completion").getSubcommands().keySet())
                .containsAll(Mooring.COMMANDS.keySet());
    }

    @Test
    void onlyOverlayRunWarmsTheServiceUp() {
        assertThat(Mooring.startsTheOverlayService("overlay", "run", "--config", "x.yaml")).isTrue();
        assertThat(Mooring.startsTheOverlayService("--debug", "overlay", "run")).isTrue();
        assertThat(Mooring.startsTheOverlayService("overlay", "status", "run")).isFalse();
        assertThat(Mooring.startsTheOverlayService("overlay")).isFalse();
        assertThat(Mooring.startsTheOverlayService("userdata", "validate", "overlay")).isFalse();
    }

    @Test
    void theServiceStartsWithoutACommandModelOnlyForTheUnitsArguments() {
        assertThat(OverlayCommand.serviceConfig(List.of())).contains(Path.of("/etc/mooring/overlay.yaml"));
        assertThat(OverlayCommand.serviceConfig(List.of("--config", "a.yaml"))).contains(Path.of("a.yaml"));
        assertThat(OverlayCommand.serviceConfig(List.of("--config=a.yaml"))).contains(Path.of("a.yaml"));
        // Everything else is picocli's: help, unknown options, a missing value.
        assertThat(OverlayCommand.serviceConfig(List.of("--help"))).isEmpty();
        assertThat(OverlayCommand.serviceConfig(List.of("--config"))).isEmpty();
        assertThat(OverlayCommand.serviceConfig(List.of("--config", "--help"))).isEmpty();
        assertThat(OverlayCommand.serviceConfig(List.of("--config=", "x"))).isEmpty();
        assertThat(OverlayCommand.serviceConfig(List.of("--config", "a.yaml", "--verbose"))).isEmpty();
    }

    @Test
    void theServicesDirectStartReportsAsThePicocliPathDoes(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");
        StringWriter direct = new StringWriter();
        int directStatus = Mooring.runOverlayService(missing, Map.of(), new PrintWriter(direct, true));
        StringWriter viaPicocli = new StringWriter();
        int picocliStatus = Mooring.commandLine(Map.of(), "overlay", "run", "--config", missing.toString())
                .setErr(new PrintWriter(viaPicocli, true))
                .execute("overlay", "run", "--config", missing.toString());
        assertThat(directStatus).isEqualTo(picocliStatus).isEqualTo(ExitStatus.INVALID.code());
        assertThat(direct.toString()).isEqualTo(viaPicocli.toString()).contains(missing.toString(), "cannot read the file");
    }

    @Test
    void aBareVersionBuildsNoCommandAndStillPrintsTheVersion() {
        assertThat(Mooring.commandLine(Map.of(), "--version").getSubcommands().keySet()).containsExactly("help");
        assertThat(Mooring.commandLine(Map.of(), "--debug", "-V").getSubcommands().keySet()).containsExactly("help");
        // With --help too, help wins and lists every command.
        assertThat(Mooring.commandLine(Map.of(), "--version", "--help").getSubcommands().keySet())
                .containsAll(Mooring.COMMANDS.keySet());

        StringWriter out = new StringWriter();
        int status = Mooring.commandLine(Map.of(), "--version").setOut(new PrintWriter(out)).execute("--version");
        assertThat(status).isZero();
        assertThat(out.toString()).startsWith("mooring " + ProjectVersion.version() + System.lineSeparator());
    }

    @Test
    void eachCommandIsListedUnderItsOwnAnnotatedName() {
        Mooring.COMMANDS.keySet().forEach(name -> {
            Class<?> command = Mooring.commandClass(name);
            assertThat(command.getAnnotation(Command.class).name()).as(command.getName()).isEqualTo(name);
        });
    }

    @Test
    void aFailureWhileRunningIsOneLineWithItsCauseAndStatus3() {
        Result r = run(Map.of(), "fail");

        assertThat(r.status()).isEqualTo(ExitStatus.FAILED.code()).isEqualTo(3);
        assertThat(r.err().lines().toList()).containsExactly(
                "mooring fail: cannot open /run/mooring/overlay.json: Permission denied",
                "(run with --debug or MOORING_DEBUG=1 for the stack trace)");
    }

    @Test
    void debugOptionShowsTheStackTrace() {
        Result r = run(Map.of(), "--debug", "fail");

        assertThat(r.status()).isEqualTo(3);
        assertThat(r.err()).contains("java.lang.IllegalStateException: cannot open", "at dev.mooring.runtime.MooringTest$Failing.call");
    }

    @Test
    void debugEnvironmentVariableShowsTheStackTrace() {
        Result r = run(Map.of(Mooring.DEBUG_VARIABLE, "1"), "fail");

        assertThat(r.status()).isEqualTo(3);
        assertThat(r.err()).contains("Caused by: java.io.IOException: Permission denied");
    }

    @Test
    void invalidInputKeepsTheCommandsOwnStatus1() {
        assertThat(run(Map.of(), "invalid").status()).isEqualTo(ExitStatus.INVALID.code()).isEqualTo(1);
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithAPointerToHelp() {
        Result r = run(Map.of(), "--frobnicate");

        assertThat(r.status()).isEqualTo(ExitStatus.USAGE.code()).isEqualTo(2);
        assertThat(r.err().lines().toList()).containsExactly("mooring: Unknown option: '--frobnicate'", "Run 'mooring --help' for usage.");
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        Result r = run(Map.of(), "userdta");

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument at index 0: 'userdta'", "userdata");
    }

    @Test
    void noCommandIsAUsageErrorNamingTheCommands() {
        Result r = run(Map.of());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("a command is missing; the commands are: help, "
                + String.join(", ", Mooring.COMMANDS.keySet()));
        assertThat(Mooring.COMMANDS.keySet()).contains("userdata", "firstboot", "overlay", "k8s", "hub", "image", "lab");
    }

    @Test
    void completionPrintsABashScriptCoveringSubcommands() {
        Result r = run(Map.of(), "completion");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F", "userdata", "validate");
    }
}
