package dev.mooring.runtime;

/**
 * The exit statuses every {@code mooring} command keeps to, so scripts and systemd can tell a
 * mistake in the input from a failure of the machine.
 */
public enum ExitStatus {
    /** The command did what it was asked. */
    OK(0),
    /** The input was read but is not valid (for example user-data that breaks a rule). */
    INVALID(1),
    /** The command line itself is wrong: unknown command or option, missing or malformed argument. */
    USAGE(2),
    /** The command failed while running (I/O, the kernel, the network); the message says what. */
    FAILED(3);

    private final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    /** The process exit code. */
    public int code() {
        return code;
    }
}
