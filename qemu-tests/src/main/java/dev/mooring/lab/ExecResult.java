package dev.mooring.lab;

/** A command run inside a guest: its exit code and its output (stdout and stderr together for the serial shell). */
public record ExecResult(String command, int exitCode, String output) {
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** This result, or a {@link LabException} with the command and its output when it failed. */
    public ExecResult orThrow() {
        if (exitCode != 0) {
            throw new LabException("in the guest, '" + command + "' exited " + exitCode + ": " + output.strip());
        }
        return this;
    }
}
