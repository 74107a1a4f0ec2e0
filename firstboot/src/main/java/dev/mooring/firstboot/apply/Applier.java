package dev.mooring.firstboot.apply;

import dev.mooring.firstboot.apply.StepResult.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Applies a plan step by step. A step whose done-marker exists is skipped; a step's marker is
 * written right after it, so a crash re-applies at most the step it interrupted: file steps are
 * idempotent (whole content, atomic rename), and a command is only ever re-run when it had not
 * finished (its marker is written the moment it exits).
 */
public final class Applier {

    private final RootFiles root;
    private final Journal journal;
    private final Optional<CommandRunner> commands;
    private final Consumer<String> log;

    /**
     * @param commands empty to skip commands (a --root without --run-commands): recorded as skipped, not done
     */
    public Applier(RootFiles root, Optional<CommandRunner> commands, Consumer<String> log) {
        this.root = root;
        this.journal = new Journal(root);
        this.commands = commands;
        this.log = log;
    }

    public List<StepResult> apply(Plan plan, String instanceDirName, String bootId) throws IOException {
        List<StepResult> results = new ArrayList<>();
        for (Step step : plan.steps()) {
            Optional<String> marker = journal.done(instanceDirName, bootId, step);
            if (marker.isPresent()) {
                results.add(new StepResult(step.id(), step.module(), Outcome.DONE_EARLIER, exitCode(marker.get()), "done in an earlier run"));
                continue;
            }
            results.add(switch (step) {
                case Step.WriteFile w -> {
                    root.write(w.path(), w.content(), w.attributes());
                    yield done(instanceDirName, bootId, step, "wrote " + w.path() + " (" + w.content().length + " bytes, " + w.attributes() + ")");
                }
                case Step.MakeDirectory m -> {
                    root.makeDirectory(m.path(), m.attributes());
                    yield done(instanceDirName, bootId, step, "directory " + m.path() + " (" + m.attributes() + ")");
                }
                case Step.Symlink l -> {
                    root.symlink(l.path(), l.target());
                    yield done(instanceDirName, bootId, step, l.path() + " -> " + l.target());
                }
                case Step.RunCommand r -> run(r, instanceDirName, bootId);
            });
        }
        return results;
    }

    private StepResult done(String instanceDirName, String bootId, Step step, String detail) throws IOException {
        journal.markDone(instanceDirName, bootId, step, "");
        return new StepResult(step.id(), step.module(), Outcome.APPLIED, OptionalInt.empty(), detail);
    }

    private StepResult run(Step.RunCommand r, String instanceDirName, String bootId) throws IOException {
        String shown = String.join(" ", r.argv());
        if (commands.isEmpty()) {
            return new StepResult(r.id(), r.module(), Outcome.SKIPPED, OptionalInt.empty(),
                    "not run: the root is not / (give --run-commands to run it with chroot): " + shown);
        }
        log.accept(r.id() + ": running " + shown);
        CommandRunner.Result result;
        try {
            result = commands.get().run(r.argv());
        } catch (IOException e) {
            // It never started: no marker, so the next run tries again.
            log.accept(r.id() + ": cannot start: " + e.getMessage());
            return new StepResult(r.id(), r.module(), Outcome.FAILED, OptionalInt.empty(), "cannot start " + shown + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + shown, e);
        }
        journal.markDone(instanceDirName, bootId, r, Integer.toString(result.exitCode()));
        journal.log(instanceDirName, r, result.output());
        log.accept(r.id() + ": exit " + result.exitCode());
        return new StepResult(r.id(), r.module(), result.exitCode() == 0 ? Outcome.APPLIED : Outcome.FAILED,
                OptionalInt.of(result.exitCode()), (result.exitCode() == 0 ? "ran " : "failed (exit " + result.exitCode() + "): ") + shown);
    }

    private static OptionalInt exitCode(String marker) {
        try {
            return marker.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(marker));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
