package dev.mooring.firstboot.apply;

import java.util.OptionalInt;

/**
 * What happened to one step in this run.
 *
 * @param exitCode a command's exit code (also for {@code DONE_EARLIER}, from its marker)
 * @param detail   what was done or why not, one line
 */
public record StepResult(String id, String module, Outcome outcome, OptionalInt exitCode, String detail) {

    public enum Outcome {
        /** Applied in this run. */
        APPLIED,
        /** Its done-marker was there: applied by an earlier run of this instance (or this boot). */
        DONE_EARLIER,
        /** Not run on purpose (commands inside a --root without --run-commands). */
        SKIPPED,
        /** Ran and failed (a command's non-zero exit), or could not be applied. */
        FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
