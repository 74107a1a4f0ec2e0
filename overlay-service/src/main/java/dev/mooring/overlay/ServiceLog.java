package dev.mooring.overlay;

import java.io.PrintStream;

/**
 * The overlay service's diagnostics: one line each on stderr, which systemd hands to the journal.
 *
 * <p>Not {@code System.Logger}: its first use looks for a logging back end through every jar on
 * the class path and starts java.util.logging, tens of milliseconds of the service's start and a
 * few MiB it keeps, for lines that only ever go to stderr. Under systemd ({@code JOURNAL_STREAM}
 * set) each line starts with its syslog priority ({@code <4>} warning, {@code <3>} error,
 * {@code <7>} debug), so {@code journalctl -p warning} finds them; debug lines are written only
 * with {@code MOORING_DEBUG=1}, and an error's stack trace follows it.
 */
public final class ServiceLog {

    private static final boolean JOURNAL = System.getenv("JOURNAL_STREAM") != null;
    private static final boolean DEBUG = "1".equals(System.getenv("MOORING_DEBUG"));

    private ServiceLog() {}

    /** Something went wrong that the service works around. */
    public static void warning(String message) {
        write(4, "warning: ", message, null);
    }

    /** Something failed; {@code cause} may be null. */
    public static void error(String message, Throwable cause) {
        write(3, "error: ", message, cause);
    }

    /** Whether debug lines are written: lets a hot path skip building them. */
    public static boolean debugging() {
        return DEBUG;
    }

    /** Detail for finding a fault: written only with {@code MOORING_DEBUG=1}. */
    public static void debug(String message) {
        if (DEBUG) {
            write(7, "debug: ", message, null);
        }
    }

    private static void write(int priority, String level, String message, Throwable cause) {
        PrintStream err = System.err;
        String prefix = JOURNAL ? "<" + priority + ">" : "";
        synchronized (err) {
            err.println(prefix + "mooring-overlay: " + level + message);
            if (cause != null) {
                cause.printStackTrace(err);
            }
        }
    }
}
